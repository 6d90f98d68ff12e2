namespace Rmq.FlowControl;

/// <summary>
/// A queue's <see cref="FlowLimits"/>, kept by its <see cref="Queue.Dispatcher"/>: how many deliveries may be handed out
/// now. No clock and no I/O of its own (the dispatcher passes the time in), so every rule is tested without Redis or Orleans.
/// </summary>
/// <remarks>
/// The rate limit is a sliding log: the times of the last <see cref="RateLimit.Count"/> hand-outs, so that no window of
/// <see cref="RateLimit.Per"/> ever holds more than <see cref="RateLimit.Count"/> of them, wherever it starts (a fixed
/// window lets twice the limit through across a window's edge). Memory: one <see cref="long"/> per allowed delivery.
/// The log lives in the queue grain's memory (one gate per activation, kept across its consuming engines): a queue that
/// moves to another silo starts with an empty one, so at that moment up to one more window's worth can pass.
/// </remarks>
internal sealed class FlowGate
{
    private long[] _handedOut = [];
    private int _oldest;
    private int _count;

    public FlowLimits Limits { get; private set; } = new();

    /// <summary>The most deliveries the limits ever let out at once: the rate's count, the concurrency; else <see cref="int.MaxValue"/>.</summary>
    public int LargestHandOut => Math.Min(Limits.Rate?.Count ?? int.MaxValue, Limits.MaxConcurrency ?? int.MaxValue);

    /// <summary>Applies new limits; the hand-outs remembered stay counted (the newest ones, as many as the new rate allows).</summary>
    public void Set(FlowLimits? limits)
    {
        limits ??= new FlowLimits();
        var capacity = limits.Rate?.Count ?? 0;
        if (capacity != _handedOut.Length)
        {
            var kept = Math.Min(_count, capacity);
            var log = new long[capacity];
            for (var i = 0; i < kept; i++) log[i] = _handedOut[(_oldest + _count - kept + i) % _handedOut.Length];
            _handedOut = log;
            _oldest = 0;
            _count = kept;
        }
        Limits = limits;
    }

    /// <summary>How many deliveries may be handed out now, with <paramref name="inFlight"/> inside consumer calls; <see cref="int.MaxValue"/> without limits.</summary>
    public int Allowance(DateTime now, int inFlight)
    {
        var allowance = int.MaxValue;
        if (Limits.Rate is { } rate)
        {
            Forget(now, rate);
            allowance = rate.Count - _count;
        }
        if (Limits.MaxConcurrency is { } max) allowance = Math.Min(allowance, Math.Max(0, max - inFlight));
        return allowance;
    }

    /// <summary><paramref name="count"/> deliveries were handed out at <paramref name="now"/> (at most <see cref="Allowance"/>).</summary>
    public void HandedOut(DateTime now, int count)
    {
        if (Limits.Rate is null) return;
        for (var i = 0; i < count && _count < _handedOut.Length; i++)
        {
            _handedOut[(_oldest + _count) % _handedOut.Length] = now.Ticks;
            _count++;
        }
    }

    /// <summary>The rate limit holds deliveries back now: its window is full.</summary>
    public bool RateLimited(DateTime now)
    {
        if (Limits.Rate is not { } rate) return false;
        Forget(now, rate);
        return _count >= rate.Count;
    }

    /// <summary>When the rate limit next lets a delivery through, if it holds them back now; <see cref="DateTime.MaxValue"/> if it does not.</summary>
    public DateTime NextAllowed(DateTime now) =>
        RateLimited(now) ? new DateTime(_handedOut[_oldest], DateTimeKind.Utc) + Limits.Rate!.Per : DateTime.MaxValue;

    /// <summary>Drops the hand-outs that have left the window ending at <paramref name="now"/>.</summary>
    private void Forget(DateTime now, RateLimit rate)
    {
        var windowStart = (now - rate.Per).Ticks;
        while (_count > 0 && _handedOut[_oldest] <= windowStart)
        {
            _oldest = (_oldest + 1) % _handedOut.Length;
            _count--;
        }
    }
}
