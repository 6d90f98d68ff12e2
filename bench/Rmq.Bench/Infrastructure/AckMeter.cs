using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Rmq.Diagnostics;

namespace Rmq.Bench.Infrastructure;

/// <summary>
/// Counts Rmq's <c>rmq.acked</c> measurements per queue. Rmq records them once Redis has confirmed the
/// outcome script, so "N acked" here means N deliveries removed from unacked in Redis: the end of an
/// end-to-end run.
/// </summary>
internal sealed class AckMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, AckCount> _counts = new();

    public AckMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RmqMetrics.MeterName && instrument.Name == "rmq.acked")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Starts counting acks of <paramref name="queue"/>; completes the returned count at <paramref name="expected"/>.</summary>
    public AckCount Track(string queue, long expected)
    {
        var count = new AckCount(expected);
        _counts[queue] = count;
        return count;
    }

    public void Forget(string queue) => _counts.TryRemove(queue, out _);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag is { Key: "queue", Value: string queue } && _counts.TryGetValue(queue, out var count))
            {
                count.Add(value);
                return;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>Acks seen for one queue.</summary>
internal sealed class AckCount(long expected)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _acked;

    public long Acked => Interlocked.Read(ref _acked);

    public Task All => _all.Task;

    public void Add(long n)
    {
        if (Interlocked.Add(ref _acked, n) >= expected) _all.TrySetResult();
    }
}
