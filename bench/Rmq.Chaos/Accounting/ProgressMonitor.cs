using System.Diagnostics;

namespace Rmq.Chaos;

/// <summary>One look at a queue: what waits (ready + unacked of registered connections) and how many outcomes were recorded.</summary>
internal readonly record struct QueueSample(TimeSpan At, long Backlog, long Consumed);

/// <summary>
/// Samples every queue four times a second from Redis (a failed sample — Redis down — is skipped), for
/// the longest stall of each queue: the longest time it had work and recorded no outcome.
/// </summary>
internal sealed class ProgressMonitor(IConnectionMultiplexer redis, Stopwatch clock, string records)
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private readonly Dictionary<string, List<QueueSample>> _samples = ChaosSettings.AllQueues.ToDictionary(q => q, _ => new List<QueueSample>());

    public IReadOnlyDictionary<string, List<QueueSample>> Samples => _samples;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken)) await SampleAsync();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Backlog of every queue now, or null when Redis did not answer.</summary>
    public async Task<IReadOnlyDictionary<string, long>?> BacklogAsync()
    {
        try
        {
            var db = redis.GetDatabase();
            var connections = (await db.SetMembersAsync(RedisKeys.Connections)).Select(c => c.ToString()).ToList();
            var result = new Dictionary<string, long>();
            foreach (var queue in ChaosSettings.AllQueues)
            {
                var lengths = connections.Select(c => db.ListLengthAsync(_keys.Unacked(c, queue))).Append(db.ListLengthAsync(_keys.Ready(queue))).ToList();
                result[queue] = (await Task.WhenAll(lengths)).Sum();
            }
            return result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private async Task SampleAsync()
    {
        var at = clock.Elapsed;
        var backlog = await BacklogAsync();
        if (backlog is null) return;
        try
        {
            var db = redis.GetDatabase();
            foreach (var queue in ChaosSettings.AllQueues)
            {
                var consumed = await db.ListLengthAsync($"{records}:{queue}");
                lock (_samples) _samples[queue].Add(new QueueSample(at, backlog[queue], consumed));
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
        }
    }

    /// <summary>The longest time <paramref name="queue"/> had a backlog and recorded nothing new, and when it began.</summary>
    public (TimeSpan Length, TimeSpan From) LongestStall(string queue)
    {
        List<QueueSample> samples;
        lock (_samples) samples = [.. _samples[queue]];
        var (longest, longestFrom) = (TimeSpan.Zero, TimeSpan.Zero);
        TimeSpan? since = null;
        long lastConsumed = -1;
        foreach (var s in samples)
        {
            if (s.Consumed != lastConsumed || s.Backlog == 0)
            {
                since = s.Backlog > 0 ? s.At : null;
                lastConsumed = s.Consumed;
                continue;
            }
            since ??= s.At;
            if (s.At - since.Value > longest) (longest, longestFrom) = (s.At - since.Value, since.Value);
        }
        return (longest, longestFrom);
    }

    /// <summary>The backlog of <paramref name="queue"/> at the first sample at or after <paramref name="at"/>.</summary>
    public long BacklogAt(string queue, TimeSpan at)
    {
        lock (_samples)
            foreach (var s in _samples[queue])
                if (s.At >= at) return s.Backlog;
        return 0;
    }
}
