namespace Rmq.FlowControl;

/// <summary>
/// A queue's <see cref="FlowLimits"/>, kept by its <see cref="Queue.Dispatcher"/>: how many deliveries may be handed out
/// now. No clock and no I/O of its own (the dispatcher passes the time in), so every rule is tested without Redis or Orleans.
/// </summary>
/// <remarks>
/// The rate limit is a sliding log: the times of the last <see cref="RateLimit.Count"/> hand-outs, each slot of the log
/// free again one <see cref="RateLimit.Per"/> after it was taken, so no window holds more than <see cref="RateLimit.Count"/>
/// wherever it starts (a fixed window lets twice the limit through across a window's edge). A hand-out the dispatcher
/// makes late — its silo busy, by at most <see cref="CatchUp"/> of the window — is logged at the time its slot came free,
/// not at the time it went out: else every late wake pushes all later windows back and a loaded machine loses that time
/// for good (100/s gave 90/s under the full test suite). So the windows keep their pace, and the guarantee is: no window
/// of 0.9 × <see cref="RateLimit.Per"/> holds more than the count, and no stretch of time more than the count per window
/// plus one window's worth. A slot that came free longer ago (the queue was idle) is logged when it is taken: idle time
/// is never made up. Memory: two <see cref="long"/>s per allowed delivery.
/// The log lives in the queue grain's memory (one gate per activation, kept across its consuming engines): a queue that
/// moves to another silo starts with an empty one, so at that moment up to one more window's worth can pass.
/// </remarks>
internal sealed class FlowGate
{
    /// <summary>The share of a window by which a late hand-out still counts from when its slot came free.</summary>
    public const double CatchUp = 0.1;

    private long[] _handedOut = [];
    private int _oldest;
    private int _count;
    private long _newest;

    /// <summary>When the slots forgotten most recently came free (a logged time + the window), oldest first.</summary>
    private readonly Queue<long> _freedAt = new();

    public FlowLimits Limits { get; private set; } = new();

    /// <summary>The limits in force, or null when none is set.</summary>
    public FlowLimits? InForce => Limits.IsEmpty ? null : Limits;

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
            _freedAt.Clear();
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
        if (Limits.Rate is not { } rate) return;
        var lateBy = (long)(rate.Per.Ticks * CatchUp);
        while (_freedAt.Count > 0 && now.Ticks - _freedAt.Peek() > lateBy) _freedAt.Dequeue();
        for (var i = 0; i < count && _count < _handedOut.Length; i++)
        {
            // Logged times only grow, so the oldest is always first.
            var at = Math.Max(_freedAt.TryDequeue(out var freed) ? freed : now.Ticks, _newest);
            _handedOut[(_oldest + _count) % _handedOut.Length] = at;
            _newest = at;
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
            _freedAt.Enqueue(_handedOut[_oldest] + rate.Per.Ticks);
            _oldest = (_oldest + 1) % _handedOut.Length;
            _count--;
        }
    }
}
