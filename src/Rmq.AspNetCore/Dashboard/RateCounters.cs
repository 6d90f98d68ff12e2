using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rmq.Diagnostics;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>
/// Listens to this silo's Rmq counters (<c>rmq.published</c>, <c>rmq.acked</c>, <c>rmq.rejected</c>,
/// <c>rmq.pushed</c>) and keeps their running totals per queue, for the dashboard's rates. Counts what
/// this silo did only: publishes straight to Redis (the client library's publisher, Go rmq) and other
/// silos' work are not in them. Also keeps what the cleaner returned while it ran on this silo
/// (<c>rmq.cleaner.returned</c>), for the cluster view.
/// </summary>
internal sealed class RateCounters : IDisposable
{
    /// <summary>The instruments listened to, in the order of <see cref="Snapshot"/>'s arrays.</summary>
    public static readonly string[] Instruments = ["rmq.published", "rmq.acked", "rmq.rejected", "rmq.pushed"];

    private readonly ConcurrentDictionary<string, long[]> _totals = new(StringComparer.Ordinal);
    private const string CleanerReturned = "rmq.cleaner.returned";
    private const int CleanerState = -1;
    private readonly MeterListener _listener = new();
    private readonly Lock _cleanerLock = new();
    private CleanerReturns _cleaner = new(0, null, null, 0);

    public RateCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != RmqMetrics.MeterName) return;
            if (instrument.Name == CleanerReturned)
            {
                listener.EnableMeasurementEvents(instrument, CleanerState);
                return;
            }
            var index = Array.IndexOf(Instruments, instrument.Name);
            if (index >= 0) listener.EnableMeasurementEvents(instrument, index);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        // Start also reports the instruments created before it.
        _listener.Start();
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (state is not int index) return;
        string? queue = null;
        foreach (var tag in tags)
            if (tag.Key == "queue") queue = tag.Value as string;
        if (queue is null) return;
        if (index == CleanerState)
        {
            lock (_cleanerLock) _cleaner = new CleanerReturns(_cleaner.Total + value, DateTimeOffset.UtcNow, queue, value);
            return;
        }
        var totals = _totals.GetOrAdd(queue, _ => new long[Instruments.Length]);
        Interlocked.Add(ref totals[index], value);
    }

    /// <summary>Each queue's running totals since this silo started, one per <see cref="Instruments"/>.</summary>
    public Dictionary<string, long[]> Snapshot() =>
        _totals.ToDictionary(e => e.Key, e => (long[])e.Value.Clone(), StringComparer.Ordinal);

    /// <summary>What the cleaner returned to ready while it ran on this silo, since the silo started.</summary>
    public CleanerReturns Cleaner
    {
        get { lock (_cleanerLock) return _cleaner; }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>What the cleaner returned while it ran on this silo (the cleaner is one grain: it runs on one silo at a time).</summary>
/// <param name="Total">Deliveries it returned to ready since this silo started.</param>
/// <param name="LastAt">When it last returned any (a pass that found nothing to return leaves no trace).</param>
/// <param name="LastQueue">The queue of that return.</param>
/// <param name="LastCount">How many it returned to that queue then.</param>
internal sealed record CleanerReturns(long Total, DateTimeOffset? LastAt, string? LastQueue, long LastCount);
