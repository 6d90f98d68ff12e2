namespace Rmq.Queue;

/// <summary>
/// What the consuming engine's loop waits on between steps: a signal (a call ended, a wake, a pause) or a timeout
/// (the next poll, a batch timer, the heartbeat deadline), whichever comes first.
/// </summary>
/// <remarks>
/// Timers count whole milliseconds, and <c>Task.Delay</c> truncates: a wait of 0.4 ms would end at once, and a loop
/// waiting for a deadline less than a millisecond away would go round until the deadline came, a busy poll before
/// every poll and batch timer. So a timeout is rounded up to whole milliseconds. It is one timer, set again for each
/// wait, rather than a delay, a cancellation source and a <c>WhenAny</c> for each: a tick that comes after a signal
/// ended the wait only makes the next wait look again, which the loop does anyway. The engine's run owns it.
/// </remarks>
internal sealed class EngineWait : IDisposable
{
    private readonly TimeProvider _time;
    private TaskCompletionSource _signal = NewSignal();
    private ITimer? _timer;
    private bool _disposed;

    public EngineWait(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Ends the current wait, or the next one at once if none is under way. Thread-safe.</summary>
    public void Signal() => _signal.TrySetResult();

    /// <summary>Waits for a signal or <paramref name="timeout"/>; a signal given since the last wait ends it at once.</summary>
    public async Task WaitAsync(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var signal = _signal;
        if (!signal.Task.IsCompleted && timeout > TimeSpan.Zero)
        {
            var timer = timeout >= TimeSpan.FromDays(1) ? null
                : _timer ??= _time.CreateTimer(static wait => ((EngineWait)wait!).Signal(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            timer?.Change(TimeSpan.FromMilliseconds(Math.Ceiling(timeout.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
            await signal.Task;
            timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        if (signal.Task.IsCompleted && _signal == signal) _signal = NewSignal();
    }

    public void Dispose()
    {
        _disposed = true;
        _timer?.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
