using System.Collections.Concurrent;

namespace Rmq.Publishing;

/// <summary>
/// Decides when a publish wakes its queue's consumers: the first publish after a quiet spell at once,
/// then at most one wake per interval, and always one after the last publish of a burst — so every
/// publish is followed by a wake within one interval, and a stream costs one wake per interval.
/// Thread-safe; no I/O (it calls <c>wake</c>).
/// </summary>
internal sealed class WakeCoalescer(TimeSpan interval, Action<string> wake, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _queues = new(StringComparer.Ordinal);
    private readonly long _interval = (long)(interval.TotalSeconds * time.TimestampFrequency);

    /// <summary>A publish to <paramref name="queue"/> has been sent to Redis.</summary>
    public void Published(string queue)
    {
        var state = _queues.GetOrAdd(queue, static _ => new State());
        var now = time.GetTimestamp();
        lock (state)
        {
            if (now - state.LastWake >= _interval)
            {
                state.LastWake = now;
                wake(queue);
                return;
            }
            if (state.TrailingPending) return;
            state.TrailingPending = true;
            var due = TimeSpan.FromSeconds((double)(state.LastWake + _interval - now) / time.TimestampFrequency);
            state.Timer ??= time.CreateTimer(_ => Trailing(queue, state), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            state.Timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Trailing(string queue, State state)
    {
        lock (state)
        {
            state.TrailingPending = false;
            state.LastWake = time.GetTimestamp();
        }
        wake(queue);
    }

    private sealed class State
    {
        public long LastWake = long.MinValue / 2;
        public bool TrailingPending;
        public ITimer? Timer;
    }
}
