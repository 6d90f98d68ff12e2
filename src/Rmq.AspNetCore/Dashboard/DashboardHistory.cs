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
/// <param name="Published">Published per second through this silo.</param>
/// <param name="Acked">Acked per second on this silo.</param>
/// <param name="RejectedPerSecond">Rejected per second on this silo.</param>
/// <param name="Pushed">Pushed per second on this silo.</param>
internal sealed record QueueSample(string Name, long Ready, long Unacked, long Rejected, long Scheduled,
    long Published, long Acked, long RejectedPerSecond, long Pushed);

/// <summary>One second of the dashboard's history.</summary>
/// <param name="Time">Unix time in milliseconds.</param>
/// <param name="Queues">Every listed queue (and every queue this silo counted something for).</param>
/// <param name="Overview">The Redis-read overview with consuming states, sent to live pages; not kept in the history.</param>
internal sealed record DashboardSample(long Time, IReadOnlyList<QueueSample> Queues, IReadOnlyList<QueueSummary>? Overview);

/// <summary>
/// Samples once a second: the backlog of every queue from Redis (<see cref="RedisStatsReader"/>, three
/// pipelined round trips) and this silo's rates (<see cref="RateCounters"/>); keeps the last
/// <see cref="RmqDashboardOptions.HistorySeconds"/> samples in a ring and hands each new one to the pages
/// following <c>/api/events</c>. While a page follows, each sample also asks consuming queues for their
/// state (as <c>/stats.json</c> does).
/// </summary>
internal sealed class DashboardHistory(RedisStatsReader reader, RateCounters counters, IGrainFactory grains, RedisQueueStore store,
    RmqDashboardOptions options, ILogger<DashboardHistory> logger) : BackgroundService
{
    private readonly DashboardSample?[] _ring = new DashboardSample?[options.HistorySeconds];
    private readonly Lock _lock = new();
    private readonly List<Channel<DashboardSample>> _followers = [];
    private int _next;
    private Dictionary<string, long[]> _previous = counters.Snapshot();

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
        var totals = counters.Snapshot();
        var overview = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        bool followed;
        lock (_lock) followed = _followers.Count > 0;
        if (followed) overview = await ConsumingStatuses.AddToAsync(overview, grains, store).ConfigureAwait(false);

        var rates = totals.ToDictionary(t => t.Key, t => t.Value.Select((v, i) => v - (_previous.TryGetValue(t.Key, out var p) ? p[i] : 0)).ToArray(), StringComparer.Ordinal);
        _previous = totals;
        var zero = new long[RateCounters.Instruments.Length];
        var byName = overview.Queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
        var names = byName.Keys.Union(rates.Keys).Order(StringComparer.Ordinal);
        var queues = names.Select(n =>
        {
            var r = rates.GetValueOrDefault(n, zero);
            var q = byName.GetValueOrDefault(n);
            return new QueueSample(n, q?.ReadyCount ?? 0, q?.UnackedCount ?? 0, q?.RejectedCount ?? 0, q?.ScheduledCount ?? 0, r[0], r[1], r[2], r[3]);
        }).ToList();
        var sample = new DashboardSample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), queues,
            followed ? overview.Queues.Select(QueueSummary.From).ToList() : null);
        lock (_lock)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            foreach (var follower in _followers) follower.Writer.TryWrite(sample);
        }
    }
}
