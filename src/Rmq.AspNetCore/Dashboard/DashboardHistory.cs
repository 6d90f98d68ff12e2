using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rmq.Redis;
using Rmq.Statistics;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>One queue in one second of the dashboard's history.</summary>
/// <param name="Name">The queue.</param>
/// <param name="Ready"><c>LLEN ready</c> (read from Redis: every silo's view).</param>
/// <param name="Unacked">Unacked over every connection (from Redis).</param>
/// <param name="Rejected"><c>LLEN rejected</c> (from Redis).</param>
/// <param name="Scheduled">Delayed deliveries not yet due (from Redis).</param>
/// <param name="Published">Arrived per second, from every producer (from Redis: what the lists gained plus what left them acked or pushed).</param>
/// <param name="Acked">Acked per second, by every silo (the queue's Redis counter).</param>
/// <param name="RejectedPerSecond">What the rejected list gained per second.</param>
/// <param name="Pushed">Pushed to the push queue per second, by every silo (the queue's Redis counter).</param>
internal sealed record QueueSample(string Name, long Ready, long Unacked, long Rejected, long Scheduled,
    long Published, long Acked, long RejectedPerSecond, long Pushed);

/// <summary>One second of the dashboard's history.</summary>
/// <param name="Time">Unix time in milliseconds.</param>
/// <param name="Queues">Every listed queue (and every queue this silo counted something for).</param>
/// <param name="Overview">The Redis-read overview with consuming states, sent to live pages; not kept in the history.</param>
internal sealed record DashboardSample(long Time, IReadOnlyList<QueueSample> Queues, IReadOnlyList<QueueSummary>? Overview);

/// <summary>
/// Samples once a second: the backlog of every queue from Redis (<see cref="RedisStatsReader"/>, three
/// pipelined round trips) and its acked and pushed counters (one more), from which the rates are computed; keeps the last
/// <see cref="RmqDashboardOptions.HistorySeconds"/> samples in a ring and hands each new one to the pages
/// following <c>/api/events</c>. While a page follows, each sample also asks consuming queues for their
/// state (as <c>/stats.json</c> does).
/// </summary>
internal sealed class DashboardHistory(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store,
    RmqDashboardOptions options, ILogger<DashboardHistory> logger) : BackgroundService
{
    private readonly DashboardSample?[] _ring = new DashboardSample?[options.HistorySeconds];
    private readonly Lock _lock = new();
    private readonly List<Channel<DashboardSample>> _followers = [];
    private int _next;
    private Dictionary<string, Totals> _previous = new(StringComparer.Ordinal);

    /// <summary>The kept samples, oldest first.</summary>
    public IReadOnlyList<DashboardSample> Samples()
    {
        lock (_lock)
        {
            var list = new List<DashboardSample>(_ring.Length);
            for (var i = 0; i < _ring.Length; i++)
                if (_ring[(_next + i) % _ring.Length] is { } s) list.Add(s with { Overview = null });
            return list;
        }
    }

    /// <summary>A reader that receives every new sample until <paramref name="stop"/> is cancelled.</summary>
    public ChannelReader<DashboardSample> Follow(CancellationToken stop)
    {
        var channel = Channel.CreateBounded<DashboardSample>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock) _followers.Add(channel);
        stop.Register(() =>
        {
            lock (_lock) _followers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
                failing = false;
            }
            catch (RedisUnavailableException e)
            {
                // Redis down is reported by /health and the queues; here it only leaves a gap in the charts.
                DashboardLog.SampleFailed(logger, e);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Never let a sample stop the host (a BackgroundService's exception would); say it once per run of failures.
                if (!failing) DashboardLog.SampleError(logger, e);
                failing = true;
            }
        }
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        var overview = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var names = overview.Queues.Select(q => q.Name).ToList();
        var throughput = await store.ReadThroughputAsync(names).ConfigureAwait(false);
        bool followed;
        lock (_lock) followed = _followers.Count > 0;
        if (followed) overview = await ConsumingStatuses.AddToAsync(overview, grains, store).ConfigureAwait(false);

        // Rates from Redis, so they count every producer and every silo: a delivery that arrived is either still in
        // the queue's lists (ready, unacked, rejected, scheduled) or left it acked or pushed, which every silo's
        // engine adds to the queue's counters. Removals that are neither (purge, drain) would read as negative: 0.
        var now = new Dictionary<string, Totals>(names.Count, StringComparer.Ordinal);
        var queues = new List<QueueSample>(names.Count);
        foreach (var q in overview.Queues.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var (acked, pushed) = throughput.GetValueOrDefault(q.Name);
            var totals = new Totals(q.ReadyCount + q.UnackedCount + q.RejectedCount + q.ScheduledCount, q.RejectedCount, acked, pushed);
            now[q.Name] = totals;
            long published = 0, ackedRate = 0, rejectedRate = 0, pushedRate = 0;
            if (_previous.TryGetValue(q.Name, out var before))
            {
                ackedRate = Math.Max(0, totals.Acked - before.Acked);
                pushedRate = Math.Max(0, totals.Pushed - before.Pushed);
                rejectedRate = Math.Max(0, totals.Rejected - before.Rejected);
                published = Math.Max(0, totals.Held - before.Held + ackedRate + pushedRate);
            }
            queues.Add(new QueueSample(q.Name, q.ReadyCount, q.UnackedCount, q.RejectedCount, q.ScheduledCount, published, ackedRate, rejectedRate, pushedRate));
        }
        _previous = now;
        var sample = new DashboardSample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), queues,
            followed ? overview.Queues.Select(QueueSummary.From).ToList() : null);
        lock (_lock)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            foreach (var follower in _followers) follower.Writer.TryWrite(sample);
        }
    }

    /// <summary>What one sample read of a queue: the deliveries its lists hold, its rejected list, and its counters.</summary>
    private readonly record struct Totals(long Held, long Rejected, long Acked, long Pushed);
}
