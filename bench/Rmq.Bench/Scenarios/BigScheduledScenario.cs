using System.Diagnostics;
using System.Globalization;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>What the big-scheduled scenario found (bytes, milliseconds, seconds).</summary>
internal sealed record BigScheduledReport(
    long Scheduled,
    int PayloadBytes,
    int BatchSize,
    double ScheduleSeconds,
    long RedisUsedMemoryBefore,
    long RedisUsedMemory,
    int FirstDue,
    double MovePassUs,
    int MovePassesSeen,
    double FirstDueAllReadyLateMs,
    int Calls,
    double GetStatsP50Ms,
    double GetStatsMaxMs,
    double CancelP50Ms,
    double CancelMaxMs,
    double DestroyMs);

/// <summary>
/// One queue holding <see cref="BenchSettings.BigScheduled"/> scheduled deliveries (1 million by default):
/// scheduled through <c>IQueueGrain.PublishBatch</c> of messages with one due time (<c>RmqMessage.At</c>) in batches of 1000 (4 calls in flight), due a
/// day from now, then one more batch of 1000 due two seconds after the rest is in. Reports Redis's
/// used_memory before and with them (bytes per scheduled delivery), how long scheduling took, how long the
/// one scheduler pass that moved the 1000 ran inside Redis (its <c>EVALSHA</c> in <c>SLOWLOG</c>, logging
/// everything meanwhile) and when the last of them was in ready, the latency of <c>GetStats</c> (ZCARD) and
/// <c>CancelScheduled</c> on the full set, and how long <c>Destroy</c> (deleting the ZSET and HASH) takes.
/// Nobody consumes the queue. Opt-in: not in the default scenario list.
/// </summary>
internal sealed class BigScheduledScenario(RmqHost rmq, IDatabase db, BenchSettings settings, Action<string> progress)
{
    private const string Queue = "bench-bigscheduled";
    private const int Batch = 1000;
    private const int InFlight = 4;
    private const int Calls = 20;
    private static readonly TimeSpan FirstDueAfter = TimeSpan.FromSeconds(2);

    public async Task<BigScheduledReport> RunAsync()
    {
        var keys = new RedisKeys(KeyDialect.Classic);
        var queue = rmq.Grains.GetGrain<IQueueGrain>(Queue);
        await queue.Destroy();
        var redis0 = await MemoryMeter.RedisUsedMemoryAsync(db);

        // Payloads repeat from batch to batch (ids make every schedule unique): Redis stores each copy all the same.
        var payloads = Payloads.Texts("bigscheduled", 0, Batch, settings.PayloadBytes);
        var far = DateTimeOffset.UtcNow.AddDays(1);
        var rest = settings.BigScheduled - Batch;
        var ids = new List<string>();
        var clock = Stopwatch.StartNew();
        var messages = payloads.Select(RmqMessage.Text).ToArray();
        Task<IReadOnlyList<PublishResult>> PublishBatchAt(RmqMessage[] batch, DateTimeOffset due) =>
            queue.PublishBatch(Array.ConvertAll(batch, m => m.At(due)));
        var inFlight = new List<Task<IReadOnlyList<PublishResult>>>(InFlight);
        for (long scheduled = 0, b = 0; scheduled < rest; scheduled += Batch, b++)
        {
            var n = (int)Math.Min(Batch, rest - scheduled);
            // Due times a second apart per batch, as a day of jobs would be spread.
            inFlight.Add(PublishBatchAt(n == Batch ? messages : messages[..n], far.AddSeconds(b)));
            if (inFlight.Count == InFlight)
            {
                ids.AddRange((await Task.WhenAll(inFlight)).Select(batch => batch[0].ScheduledId!));
                inFlight.Clear();
            }
            if (scheduled % 200_000 == 0 && scheduled > 0) progress($"bigscheduled: {scheduled:N0} scheduled");
        }
        ids.AddRange((await Task.WhenAll(inFlight)).Select(batch => batch[0].ScheduledId!));
        var firstDue = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.Add(FirstDueAfter).ToUnixTimeMilliseconds());
        await PublishBatchAt(messages, firstDue);
        var scheduleSeconds = clock.Elapsed.TotalSeconds;
        var count = await db.SortedSetLengthAsync(keys.Scheduled(Queue));
        if (count != settings.BigScheduled) throw new InvalidOperationException($"bigscheduled: the ZSET holds {count:N0}, expected {settings.BigScheduled:N0}");
        var redis1 = await MemoryMeter.RedisUsedMemoryAsync(db);
        progress($"bigscheduled: {count:N0} scheduled in {scheduleSeconds:0.0} s, redis used_memory {redis1 / 1048576.0:0} MB");

        // Every command is logged while the 1000 fall due; the scheduler's pass that moves them is the
        // longest script on this queue's keys (the cleaner's passes and the empty looks are the others).
        var server = db.Multiplexer.GetServer(db.Multiplexer.GetEndPoints()[0]);
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "0");
        await server.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "100000");
        await server.ExecuteAsync("SLOWLOG", "RESET");
        double allReadyLateMs;
        (double Us, int Passes) pass;
        try
        {
            var ready = keys.Ready(Queue);
            await Deadline.UntilAsync(async () => await db.ListLengthAsync(ready) >= Batch, settings.RunTimeout, TimeSpan.FromMilliseconds(1),
                "bigscheduled: the first 1000 in ready");
            allReadyLateMs = (DateTimeOffset.UtcNow - firstDue).TotalMilliseconds;
            pass = await LongestMovePassAsync(server, keys.Scheduled(Queue));
        }
        finally
        {
            await server.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            await server.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "128");
        }
        progress(string.Create(CultureInfo.InvariantCulture,
            $"bigscheduled: 1000 due moved by one pass of {pass.Us:0} µs in Redis; all in ready {allReadyLateMs:0.0} ms after due"));

        var (statsP50, statsMax) = await TimeAsync(async _ =>
        {
            var stats = await queue.GetStats();
            if (stats.ScheduledCount != settings.BigScheduled - Batch) throw new InvalidOperationException($"bigscheduled: GetStats says {stats.ScheduledCount:N0} scheduled");
        });
        var (cancelP50, cancelMax) = await TimeAsync(async i =>
        {
            if (!await queue.CancelScheduled(ids[i])) throw new InvalidOperationException($"bigscheduled: CancelScheduled({ids[i]}) found nothing");
        });

        var destroy = Stopwatch.StartNew();
        var destroyed = await queue.Destroy();
        var destroyMs = destroy.Elapsed.TotalMilliseconds;
        if (destroyed.ScheduledCount != settings.BigScheduled - Batch - Calls)
            throw new InvalidOperationException($"bigscheduled: Destroy removed {destroyed.ScheduledCount:N0} scheduled deliveries");

        return new BigScheduledReport(count, settings.PayloadBytes, Batch, scheduleSeconds, redis0, redis1, Batch, pass.Us, pass.Passes,
            allReadyLateMs, Calls, statsP50, statsMax, cancelP50, cancelMax, destroyMs);
    }

    /// <summary>The longest logged script that names <paramref name="scheduled"/>, in µs, and how many such there were.</summary>
    private static async Task<(double Us, int Passes)> LongestMovePassAsync(IServer server, RedisKey scheduled)
    {
        // SLOWLOG GET -1: every entry as [id, unix time, µs, [command and arguments…], client, name].
        var entries = (RedisResult[])(await server.ExecuteAsync("SLOWLOG", "GET", "-1"))!;
        var passes = entries
            .Select(e => (RedisResult[])e!)
            .Where(e => ((RedisResult[])e[3]!).Select(a => (string?)a).ToArray() is var args
                        && args.Length > 0 && args[0]!.StartsWith("EVAL", StringComparison.OrdinalIgnoreCase)
                        && args.Contains((string)scheduled!))
            .Select(e => (double)(long)e[2])
            .ToList();
        if (passes.Count == 0) throw new InvalidOperationException("bigscheduled: SLOWLOG holds no script on the scheduled key");
        return (passes.Max(), passes.Count);
    }

    /// <summary>p50 and max of <see cref="Calls"/> sequential calls, in milliseconds.</summary>
    private static async Task<(double P50, double Max)> TimeAsync(Func<int, Task> call)
    {
        var samples = new List<double>(Calls);
        for (var i = 0; i < Calls; i++)
        {
            var clock = Stopwatch.StartNew();
            await call(i);
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Stats.Percentile(samples, 50), samples.Max());
    }
}
