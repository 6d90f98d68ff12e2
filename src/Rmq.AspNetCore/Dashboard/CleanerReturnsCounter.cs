using System.Diagnostics.Metrics;
using Rmq.Diagnostics;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>
/// Listens to this silo's <c>rmq.cleaner.returned</c> counter and keeps what the cleaner returned while it ran on
/// this silo, for the cluster view. (The queues' rates come from Redis: see <see cref="DashboardHistory"/>.)
/// </summary>
internal sealed class CleanerReturnsCounter : IDisposable
{
    private const string CleanerReturned = "rmq.cleaner.returned";
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private CleanerReturns _cleaner = new(0, null, null, 0);

    public CleanerReturnsCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RmqMetrics.MeterName && instrument.Name == CleanerReturned) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        // Start also reports the instruments created before it.
        _listener.Start();
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? queue = null;
        foreach (var tag in tags)
            if (tag.Key == "queue") queue = tag.Value as string;
        if (queue is null) return;
        lock (_lock) _cleaner = new CleanerReturns(_cleaner.Total + value, DateTimeOffset.UtcNow, queue, value);
    }

    /// <summary>What the cleaner returned to ready while it ran on this silo, since the silo started.</summary>
    public CleanerReturns Cleaner
    {
        get { lock (_lock) return _cleaner; }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>What the cleaner returned while it ran on this silo (the cleaner is one grain: it runs on one silo at a time).</summary>
/// <param name="Total">Deliveries it returned to ready since this silo started.</param>
/// <param name="LastAt">When it last returned any (a pass that found nothing to return leaves no trace).</param>
/// <param name="LastQueue">The queue of that return.</param>
/// <param name="LastCount">How many it returned to that queue then.</param>
internal sealed record CleanerReturns(long Total, DateTimeOffset? LastAt, string? LastQueue, long LastCount);
