using Rmq.FlowControl;

namespace Rmq.Queue;

/// <summary>
/// Decides which consumer gets which prefetched delivery, and when. No I/O and no clock of its own:
/// the engine passes the time in, starts the calls this returns and reports how they ended, so every
/// rule here is tested without Redis or Orleans.
/// </summary>
/// <remarks>
/// Rules: each consumer has at most one call in flight (a batch consumer: one batch); idle consumers
/// are served round robin, each round starting after the last consumer served so no consumer is
/// always first (a round that hands out nothing leaves the order as it is); a batch
/// is handed out when it is full, or once its timeout has passed since it started to fill; a consumer
/// that failed is left alone until its backoff is over; a delivery whose call timed out waits for its
/// redelivery backoff, and then goes before every delivery fetched after it; the queue's <see cref="FlowLimits"/>
/// (<see cref="Gate"/>) cap how many are handed out per window and how many are inside consumer calls at once — a batch
/// is full at the most they ever let out at once, if that is below its size.
/// </remarks>
internal sealed class Dispatcher(DispatchPolicy policy, FlowGate? gate = null)
{
    private static readonly List<(ConsumerSlot Slot, List<Prefetched> Items)> NoCalls = [];
    private readonly List<ConsumerSlot> _slots = [];
    private readonly Queue<Prefetched> _buffer = new();
    private readonly List<Prefetched> _redeliveries = [];
    private int _next;

    public IReadOnlyList<ConsumerSlot> Slots => _slots;

    /// <summary>The queue's flow limits and the hand-outs they count (the queue grain's, so a new engine keeps counting them).</summary>
    public FlowGate Gate { get; } = gate ?? new FlowGate();

    /// <summary>Deliveries inside consumer calls (a call that timed out still counts: its consumer is still working).</summary>
    public int InFlight
    {
        get
        {
            var n = 0;
            foreach (var slot in _slots)
                if (slot.Busy) n += slot.Holding;
            return n;
        }
    }

    /// <summary>
    /// How many of <paramref name="room"/> free places in the prefetch to fill: under a rate limit, no more than one
    /// window's worth (or the largest batch) waits here, so a slow limit does not hold the whole prefetch in unacked.
    /// </summary>
    public int FetchRoom(int room)
    {
        if (room <= 0 || Gate.Limits.Rate is not { } rate) return room;
        var largestBatch = 1;
        foreach (var slot in _slots)
            if (slot.Registration.IsBatch) largestBatch = Math.Max(largestBatch, slot.Registration.BatchSize);
        return Math.Clamp(Math.Max(rate.Count, largestBatch) - Queued, 0, room);
    }

    /// <summary>Deliveries are waiting and only the rate limit keeps them from being handed out (waiting on purpose, not stalled).</summary>
    public bool HeldByRateLimit(DateTime now) => Queued > 0 && Gate.RateLimited(now);

    /// <summary>Deliveries waiting to be handed out, redeliveries included.</summary>
    public int Queued => _buffer.Count + _redeliveries.Count;

    /// <summary>Every delivery waiting to be handed out.</summary>
    public IEnumerable<Prefetched> QueuedItems => _buffer.Concat(_redeliveries);

    public void AddSlot(ConsumerSlot slot) => _slots.Add(slot);

    /// <summary>A freshly fetched delivery, after every one fetched before it.</summary>
    public void Add(Prefetched item) => _buffer.Enqueue(item);

    /// <summary>A delivery whose call timed out: handed out again after its backoff.</summary>
    public void Redeliver(Prefetched item, DateTime now)
    {
        item.NotBefore = now + policy.Redelivery(item.TimedOutAttempts);
        _redeliveries.Add(item);
    }

    /// <summary>Takes every delivery no consumer holds (to return them to ready); oldest first.</summary>
    public List<Prefetched> TakeQueued()
    {
        var all = _redeliveries.OrderBy(p => p.Delivery.Id).Concat(_buffer).ToList();
        _redeliveries.Clear();
        _buffer.Clear();
        foreach (var slot in _slots) slot.FillStartedAt = null;
        return all;
    }

    /// <summary>Hands out what can be handed out now: one entry per consumer call to start.</summary>
    public List<(ConsumerSlot Slot, List<Prefetched> Items)> Assign(DateTime now)
    {
        List<(ConsumerSlot, List<Prefetched>)>? calls = null;
        var count = _slots.Count;
        var next = _next;
        for (var k = 0; k < count && Available(now) > 0; k++)
        {
            var index = (_next + k) % count;
            var slot = _slots[index];
            if (slot.Busy || slot.RetryAt > now) continue;
            var reg = slot.Registration;
            if (reg.IsBatch)
            {
                slot.FillStartedAt ??= now;
                if (Available(now) < FullBatch(reg) && now < slot.FillStartedAt + reg.BatchTimeout) continue;
            }
            (calls ??= []).Add((slot, Take(slot, now)));
            next = (index + 1) % count;
        }
        _next = next;
        // Most steps hand out nothing (every consumer busy): no list for those.
        return calls ?? NoCalls;
    }

    /// <summary>
    /// A consumer has just finished: its next delivery (a full batch, for a batch consumer) at once,
    /// or null. A partial batch is left to <see cref="Assign"/>, which knows its timeout.
    /// </summary>
    public List<Prefetched>? AssignTo(ConsumerSlot slot, DateTime now)
    {
        if (slot.Busy || slot.RetryAt > now) return null;
        var available = Available(now);
        if (available == 0 || (slot.Registration.IsBatch && available < FullBatch(slot.Registration))) return null;
        return Take(slot, now);
    }

    /// <summary>The call of <paramref name="slot"/> has ended; the consumer's backoff follows from how.</summary>
    public void CallEnded(ConsumerSlot slot, CallEnd end, DateTime now)
    {
        slot.Busy = false;
        switch (end)
        {
            case CallEnd.Completed:
                slot.Failures = 0;
                break;
            case CallEnd.NeverRan:
                slot.RetryAt = now + policy.UnreachableDelay;
                break;
            default:
                slot.Failures++;
                slot.RetryAt = now + policy.ConsumerBackoff(slot.Failures);
                break;
        }
    }

    /// <summary>When <see cref="Assign"/> may next hand out something it cannot now; MaxValue if nothing is due.</summary>
    public DateTime NextDeadline(DateTime now)
    {
        var deadline = DateTime.MaxValue;
        foreach (var item in _redeliveries)
            if (item.NotBefore > now && item.NotBefore < deadline) deadline = item.NotBefore;
        if (Queued == 0) return deadline;
        var allowed = Gate.NextAllowed(now);
        if (allowed < deadline) deadline = allowed;
        // Nothing may go out before the limits allow it: the rate window moving on (above) or a call ending (which
        // signals) changes that, not a consumer's backoff or a batch timeout — one of those already past would spin.
        if (Allowance(now) == 0) return deadline;
        foreach (var slot in _slots)
        {
            if (slot.Busy) continue;
            if (slot.RetryAt > now && slot.RetryAt < deadline) deadline = slot.RetryAt;
            if (slot.FillStartedAt is { } started && started + slot.Registration.BatchTimeout < deadline)
                deadline = started + slot.Registration.BatchTimeout;
        }
        return deadline;
    }

    /// <summary>How many wait and are due (redeliveries after their backoff), whatever the flow limits allow.</summary>
    private int Waiting(DateTime now)
    {
        var due = 0;
        foreach (var item in _redeliveries)
            if (item.NotBefore <= now) due++;
        return _buffer.Count + due;
    }

    /// <summary>How many may be handed out now: those waiting and due, as far as the flow limits allow.</summary>
    private int Available(DateTime now)
    {
        var waiting = Waiting(now);
        return waiting == 0 ? 0 : Math.Min(waiting, Allowance(now));
    }

    /// <summary>A batch is full at its size, or at the most the limits ever let out at once (else it would only go out at its timeout).</summary>
    private int FullBatch(ConsumerRegistration registration) => Math.Min(registration.BatchSize, Gate.LargestHandOut);

    /// <summary>What the flow limits allow now; no limits (the common case) costs nothing.</summary>
    private int Allowance(DateTime now) => Gate.Limits.IsEmpty ? int.MaxValue : Gate.Allowance(now, InFlight);

    private List<Prefetched> Take(ConsumerSlot slot, DateTime now)
    {
        var size = Math.Min(slot.Registration.IsBatch ? slot.Registration.BatchSize : 1, Allowance(now));
        var items = new List<Prefetched>(Math.Min(size, Queued));
        // Redeliveries first, oldest first: they were fetched before anything in the buffer.
        if (_redeliveries.Count > 0)
        {
            foreach (var item in _redeliveries.Where(p => p.NotBefore <= now).OrderBy(p => p.Delivery.Id).Take(size).ToList())
            {
                _redeliveries.Remove(item);
                items.Add(item);
            }
        }
        while (items.Count < size && _buffer.TryDequeue(out var next)) items.Add(next);
        slot.Busy = true;
        slot.Holding = items.Count;
        slot.FillStartedAt = null;
        Gate.HandedOut(now, items.Count);
        // Nothing left to hand out (whether Assign or AssignTo took it): no batch is filling any more,
        // and the next delivery starts a new fill with a full batch timeout. (Deliveries the limits hold back
        // are still waiting: their batch keeps filling.)
        if (Waiting(now) == 0)
            foreach (var other in _slots) other.FillStartedAt = null;
        return items;
    }
}
