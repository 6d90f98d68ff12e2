using System.Diagnostics.Metrics;

namespace Rmq.Diagnostics;

/// <summary>
/// The <c>System.Diagnostics.Metrics</c> instruments of meter <see cref="MeterName"/>. Counts are taken
/// when Redis has confirmed the change (a publish's LPUSH, an outcome's script), so they match Redis.
/// Every instrument carries a <c>queue</c> tag.
/// </summary>
public sealed class RmqMetrics
{
    /// <summary>The meter name to subscribe to (e.g. OpenTelemetry's <c>AddMeter("Rmq")</c>).</summary>
    public const string MeterName = "Rmq";

    private readonly Counter<long> _published;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _acked;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _pushed;
    private readonly Counter<long> _returned;
    private readonly Counter<long> _cleanerReturned;
    private readonly Histogram<double> _consumeDuration;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _consumerTimeouts;
    private readonly Counter<long> _faults;
    private readonly Counter<long> _restarts;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public RmqMetrics(IMeterFactory meterFactory, LocalQueueStatuses statuses)
    {
        Meter = meterFactory.Create(MeterName);
        _published = Meter.CreateCounter<long>("rmq.published", "{delivery}", "Deliveries added to ready by publishes through Rmq.");
        _delivered = Meter.CreateCounter<long>("rmq.delivered", "{delivery}", "Deliveries handed to consumer grains.");
        _acked = Meter.CreateCounter<long>("rmq.acked", "{delivery}", "Deliveries acknowledged (removed from unacked).");
        _rejected = Meter.CreateCounter<long>("rmq.rejected", "{delivery}", "Deliveries moved to rejected (by consumers or faulty headers).");
        _pushed = Meter.CreateCounter<long>("rmq.pushed", "{delivery}", "Deliveries moved to a push queue.");
        _returned = Meter.CreateCounter<long>("rmq.returned", "{delivery}", "Deliveries a queue grain put back in ready (unreachable consumer, stop).");
        _cleanerReturned = Meter.CreateCounter<long>("rmq.cleaner.returned", "{delivery}", "Deliveries the cleaner returned to ready from dead connections.");
        _deadLettered = Meter.CreateCounter<long>("rmq.dead_lettered", "{delivery}", "Deliveries Rmq moved to rejected by itself (retries exhausted, or every attempt timed out), with headers saying why.");
        _retried = Meter.CreateCounter<long>("rmq.retried", "{delivery}", "Deliveries the queue's retry policy scheduled again.");
        _consumerTimeouts = Meter.CreateCounter<long>("rmq.consumer.timeouts", "{delivery}", "Deliveries whose consumer call timed out (an unknown outcome; redelivered with backoff).");
        _faults = Meter.CreateCounter<long>("rmq.engine.faults", "{fault}", "Faults the consuming engine handled, by kind (redis_unavailable, redis_timeout, redis_server_error, consumer, bug).");
        _restarts = Meter.CreateCounter<long>("rmq.engine.restarts", "{restart}", "Connections a consuming engine gave up and replaced, by reason (lost, heartbeat_expired, fault).");
        Meter.CreateObservableGauge("rmq.queue.stalled", () => statuses.Snapshot()
            .Select(s => new Measurement<int>(s.Status.Stalled ? 1 : 0, Tag(s.Queue))), "{queue}",
            "1 while a queue consuming on this silo has work but has made no progress for Rmq:StallTimeout.");
        Meter.CreateObservableGauge("rmq.queue.paused", () => statuses.Snapshot()
            .Select(s => new Measurement<int>(s.Status.Paused ? 1 : 0, Tag(s.Queue))), "{queue}",
            "1 while a queue consuming on this silo is paused (IQueueGrain.Pause); a paused queue is never stalled.");
        _consumeDuration = Meter.CreateHistogram<double>("rmq.consume.duration", "ms", "Time from handing a delivery (or batch) to a consumer until its outcome came back.");
    }

    /// <summary>The meter the instruments live on (observable gauges may be added to it).</summary>
    public Meter Meter { get; }

    internal void Published(string queue, long count) => _published.Add(count, Tag(queue));
    internal void Delivered(string queue, long count) => _delivered.Add(count, Tag(queue));
    internal void Acked(string queue, long count) { if (count > 0) _acked.Add(count, Tag(queue)); }
    internal void Rejected(string queue, long count) { if (count > 0) _rejected.Add(count, Tag(queue)); }
    internal void Pushed(string queue, long count) { if (count > 0) _pushed.Add(count, Tag(queue)); }
    internal void Returned(string queue, long count) { if (count > 0) _returned.Add(count, Tag(queue)); }
    internal void CleanerReturned(string queue, long count) { if (count > 0) _cleanerReturned.Add(count, Tag(queue)); }
    internal void DeadLettered(string queue, long count) { if (count > 0) _deadLettered.Add(count, Tag(queue)); }
    internal void Retried(string queue, long count) { if (count > 0) _retried.Add(count, Tag(queue)); }
    internal void ConsumerTimeouts(string queue, long count) => _consumerTimeouts.Add(count, Tag(queue));
    internal void Fault(string queue, string kind) => _faults.Add(1, Tag(queue), new KeyValuePair<string, object?>("kind", kind));
    internal void EngineRestarted(string queue, string reason) => _restarts.Add(1, Tag(queue), new KeyValuePair<string, object?>("reason", reason));
    internal void ConsumeDuration(string queue, double milliseconds) => _consumeDuration.Record(milliseconds, Tag(queue));

    private static KeyValuePair<string, object?> Tag(string queue) => new("queue", queue);
}
