using System.Collections.Concurrent;
using Rmq.Redis;

namespace Rmq.Publishing;

/// <summary>
/// Decides which publishes wake their queue's consuming engine: one after a quiet spell (no publish to
/// the queue for <see cref="PublishCommands.WakeQuietGap"/>), so sparse traffic gets the lowest latency,
/// and otherwise at most one per <see cref="PublishCommands.WakeWindow"/>. The engine, once woken, looks
/// at ready again every millisecond for one window, which fetches the publishes whose wakes were left
/// out — so a stream costs about one PUBLISH per window and no timer. Thread-safe; no I/O.
/// </summary>
internal sealed class WakeCoalescer(Action<string> wake, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _queues = new(StringComparer.Ordinal);
    private readonly long _window = (long)(PublishCommands.WakeWindow.TotalSeconds * time.TimestampFrequency);
    private readonly long _quiet = (long)(PublishCommands.WakeQuietGap.TotalSeconds * time.TimestampFrequency);

    /// <summary>A publish to <paramref name="queue"/> has been sent to Redis.</summary>
    public void Published(string queue)
    {
        var state = _queues.GetOrAdd(queue, static _ => new State());
        var now = time.GetTimestamp();
        bool send;
        lock (state)
        {
            send = now - state.LastPublish >= _quiet || now - state.LastWake >= _window;
            state.LastPublish = now;
            if (send) state.LastWake = now;
        }
        if (send) wake(queue);
    }

    private sealed class State
    {
        public long LastPublish = long.MinValue / 2;
        public long LastWake = long.MinValue / 2;
    }
}
