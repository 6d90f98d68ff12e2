using System.Collections.Concurrent;

namespace Rmq.Publishing;

/// <summary>
/// Decides when a publish wakes its queue's consumers. A publish after a quiet spell (no publish to the
/// queue for <c>quiet</c>) wakes them at once: sparse traffic gets the lowest latency. Publishes closer
/// together than that wake them once the stream pauses for <c>quiet</c>, or at the latest one
/// <c>interval</c> after the last wake: every publish is followed by a wake soon after, the consuming
/// queue fetches a stream in batches instead of one tiny fetch per message, and a stream costs about one
/// PUBLISH per interval. Thread-safe; no I/O (it calls <c>wake</c>).
/// </summary>
internal sealed class WakeCoalescer(TimeSpan interval, TimeSpan quiet, Action<string> wake, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _queues = new(StringComparer.Ordinal);
    private readonly long _interval = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private readonly long _quiet = (long)(quiet.TotalSeconds * time.TimestampFrequency);

    /// <summary>A publish to <paramref name="queue"/> has been sent to Redis.</summary>
    public void Published(string queue)
    {
        var state = _queues.GetOrAdd(queue, static _ => new State());
        var now = time.GetTimestamp();
        lock (state)
        {
            var quietBefore = now - state.LastPublish >= _quiet;
            state.LastPublish = now;
            if (state.TrailingPending) return;
            if (quietBefore)
            {
                state.LastWake = now;
                wake(queue);
                return;
            }
            state.TrailingPending = true;
            state.Timer ??= time.CreateTimer(_ => Trailing(queue, state), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            state.Timer.Change(Until(TrailingDue(state), now), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Once the stream pauses for the quiet gap, but no later than one interval after the last wake.</summary>
    private long TrailingDue(State state) => Math.Min(state.LastPublish + _quiet, state.LastWake + _interval);

    private void Trailing(string queue, State state)
    {
        lock (state)
        {
            var now = time.GetTimestamp();
            var due = TrailingDue(state);
            if (now < due)
            {
                // Published again meanwhile: wait for the pause (or the interval), not longer.
                state.Timer!.Change(Until(due, now), Timeout.InfiniteTimeSpan);
                return;
            }
            state.TrailingPending = false;
            state.LastWake = now;
        }
        wake(queue);
    }

    private TimeSpan Until(long due, long now) => TimeSpan.FromSeconds(Math.Max(0, due - now) / (double)time.TimestampFrequency);

    private sealed class State
    {
        public long LastPublish = long.MinValue / 2;
        public long LastWake = long.MinValue / 2;
        public bool TrailingPending;
        public ITimer? Timer;
    }
}
