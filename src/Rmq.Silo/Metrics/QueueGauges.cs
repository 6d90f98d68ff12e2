using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Rmq.Diagnostics;
using Rmq.Redis;

namespace Rmq.Silo.Metrics;

/// <summary>
/// Ready, unacked and rejected gauges per queue on the <c>Rmq</c> meter. Gauge callbacks are
/// synchronous, so they report the snapshot of the last <see cref="RefreshAsync"/>; the host refreshes
/// it right before each <c>/metrics</c> scrape, so a scrape shows what Redis holds at that moment.
/// Every silo reports every queue: aggregate with <c>max</c>, not <c>sum</c>.
/// </summary>
internal sealed partial class QueueGauges
{
    private readonly RedisStatsReader _reader;
    private readonly ILogger<QueueGauges> _logger;
    private volatile StatsOverview? _snapshot;

    public QueueGauges(RmqMetrics metrics, RedisStatsReader reader, ILogger<QueueGauges> logger)
    {
        _reader = reader;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("rmq.queue.ready", () => Measure(q => q.ReadyCount), "{delivery}", "Deliveries waiting in the queue's ready list.");
        metrics.Meter.CreateObservableGauge("rmq.queue.unacked", () => Measure(q => q.UnackedCount), "{delivery}", "Deliveries fetched by consuming connections and not yet finished.");
        metrics.Meter.CreateObservableGauge("rmq.queue.rejected", () => Measure(q => q.RejectedCount), "{delivery}", "Deliveries in the queue's rejected list.");
        metrics.Meter.CreateObservableGauge("rmq.queue.scheduled", () => Measure(q => q.ScheduledCount), "{delivery}", "Delayed and scheduled deliveries not yet due.");
        // Lifetime counts kept in Redis (rmq-counters), so the same for every silo, not this silo's share.
        metrics.Meter.CreateObservableCounter("rmq.queue.retried", () => Measure(q => q.RetriedCount), "{delivery}", "Deliveries the queue's retry policy scheduled again, by every silo, since the queue was created or destroyed.");
        metrics.Meter.CreateObservableCounter("rmq.queue.dead_lettered", () => Measure(q => q.DeadLetteredCount), "{delivery}", "Deliveries Rmq moved to rejected by itself, by every silo, since the queue was created or destroyed.");
    }

    /// <summary>Reads the stats from Redis for the next collection; on failure the gauges report nothing rather than stale values.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            _snapshot = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisUnavailableException e)
        {
            _snapshot = null;
            LogRefreshFailed(e.Message);
        }
    }

    private IEnumerable<Measurement<long>> Measure(Func<QueueOverview, long> value) =>
        _snapshot is { } stats
            ? stats.Queues.Select(q => new Measurement<long>(value(q), new KeyValuePair<string, object?>("queue", q.Name)))
            : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue gauges not refreshed: {Error}")]
    private partial void LogRefreshFailed(string error);
}
