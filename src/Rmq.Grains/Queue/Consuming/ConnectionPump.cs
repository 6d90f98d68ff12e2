using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>Why a <see cref="ConnectionPump"/> ended.</summary>
internal enum PumpEnd
{
    /// <summary>Stopped as asked: nothing is left in unacked that this pump knows of.</summary>
    Stopped,

    /// <summary>Stopping, but Redis stayed unreachable: what is left stays in unacked for a cleaner.</summary>
    GaveUpStopping,

    /// <summary>Cut short (deactivation could not wait): what is left stays in unacked for a cleaner.</summary>
    Abandoned,

    /// <summary>The connection is no longer registered: a cleaner took it for dead, or Redis lost its data.</summary>
    Lost,

    /// <summary>No heartbeat succeeded for too long: a cleaner may take the connection for dead any moment.</summary>
    HeartbeatExpired,

    /// <summary>An unexpected exception (a defect): the engine starts over with a new connection.</summary>
    Fault,
}

/// <summary>
/// The consuming loop of one rmq connection: applies finished outcomes and prefetches in one Redis
/// round trip, hands deliveries to consumers through the engine's <see cref="Dispatcher"/> without
/// awaiting them, and never throws: every exception is classified and handled. It runs on the grain's
/// scheduler (single-threaded, no locks). A new connection gets a new pump.
/// </summary>
/// <remarks>
/// Accounting: <c>_held</c> counts the elements of this connection's unacked list that the pump knows
/// of — queued in the dispatcher, inside consumer calls, or finished but not yet applied. The Lua
/// script checks LLEN too, so unacked never exceeds the prefetch limit even if the two disagree.
/// </remarks>
internal sealed partial class ConnectionPump(ConsumingEngine engine, string connection, int generation)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopRetryLimit = TimeSpan.FromSeconds(10);

    private readonly OutcomeBatch _pending = new();
    private readonly OutcomeBatch _sending = new();
    private string? _sendingPushQueue;
    private long _batchNumber;
    private int _held;
    private bool _mayHaveStrays;
    private bool _readyMayHaveMore = true;
    private DateTime _nextPollAt;
    private DateTime _followUpUntil;
    private long _wakes;
    private int _failures;
    private bool _stopRequested;
    private PumpEnd? _lost;
    private DateTime _stopFailingSince = DateTime.MaxValue;

    public string Connection { get; } = connection;
    public int Generation { get; } = generation;

    /// <summary>Deliveries inside consumer calls of this pump.</summary>
    public int InFlight => _calls.Sum(c => c.Items.Count);

    /// <summary>Something may have been published: fetch now instead of waiting for the poll.</summary>
    public void Wake()
    {
        _readyMayHaveMore = true;
        _wakes++;
    }

    /// <summary>
    /// A publisher outside the grain woke us: fetch now, and look again every
    /// <see cref="PublishCommands.WakeFollowUp"/> for one <see cref="PublishCommands.WakeWindow"/>, which
    /// catches the publishes whose wakes the publisher left out.
    /// </summary>
    public void WakeFromPublisher()
    {
        _readyMayHaveMore = true;
        _wakes++;
        _followUpUntil = DateTime.UtcNow + PublishCommands.WakeWindow;
    }

    /// <summary>
    /// Stop fetching and dispatching; return what no consumer holds to the front of ready, wait for the
    /// calls in flight and apply their outcomes, then end with <see cref="PumpEnd.Stopped"/>.
    /// </summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// Give the connection up without touching Redis again: the loop ends at its next step (a round
    /// trip under way finishes first), never fetches again, and drops the outcomes it has not applied.
    /// What the connection holds stays in its unacked list for the engine (or a cleaner) to return.
    /// </summary>
    public void Lose(PumpEnd reason) => _lost ??= reason;

    public bool IsLost => _lost is not null;

    /// <summary>Runs until stopped or lost. Never throws.</summary>
    public async Task<PumpEnd> RunAsync()
    {
        while (true)
        {
            if (_lost is { } lost) return lost;
            try
            {
                if (await StepAsync() is { } end) return end;
            }
            catch (Exception e)
            {
                // Every Redis and consumer fault is handled where it happens; this is a defect.
                engine.ReportFault(FaultKind.Bug, "consuming loop", e);
                Lose(PumpEnd.Fault);
                return PumpEnd.Fault;
            }
        }
    }

    private async Task<PumpEnd?> StepAsync()
    {
        var now = DateTime.UtcNow;
        if (!_stopRequested && engine.HeartbeatExpired(now))
        {
            Lose(PumpEnd.HeartbeatExpired);
            return null;
        }
        var paused = engine.IsPaused;
        var mayFetch = !_stopRequested && !paused && engine.SiloIsActive();
        if (_stopRequested || paused)
        {
            // Checkpoint: these were fetched but no consumer has seen them; back to the front of
            // ready (paused: so they are the next ones consumed, here after Resume or by anyone else).
            // If the silo dies before the script runs, they stay in unacked for the cleaner.
            foreach (var undelivered in engine.Dispatcher.TakeQueued()) _pending.Returns.Add(undelivered.Raw);
        }
        else if (mayFetch)
        {
            foreach (var (slot, items) in engine.Dispatcher.Assign(now)) StartCall(slot, items);
        }

        if (_mayHaveStrays && _sending.Count == 0)
        {
            if (!await ReconcileAsync()) await BackoffAsync();
            return null;
        }
        var room = engine.Dispatcher.FetchRoom(engine.PrefetchLimit - _held);
        var fetchMax = mayFetch && room > 0 && (_readyMayHaveMore || now >= _nextPollAt) ? room : 0;
        if (_sending.Count > 0 || _pending.Count > 0 || fetchMax > 0)
        {
            if (!await ApplyAndFetchAsync(fetchMax)) await BackoffAsync();
            return null;
        }
        if (_stopRequested && _calls.Count == 0) return PumpEnd.Stopped;
        if (!mayFetch && !_stopRequested && !paused) engine.ReportNotActive();
        var deadline = engine.Dispatcher.NextDeadline(now);
        if (mayFetch && room > 0 && !_readyMayHaveMore && _nextPollAt < deadline) deadline = _nextPollAt;
        // Not active: nothing is handed out, so a batch timer already due must not make this spin.
        // Paused: nothing is due at all; a call ending, Resume or Stop signals (the heartbeat deadline below still holds).
        if (!mayFetch && !_stopRequested) deadline = paused ? DateTime.MaxValue : now + engine.PollInterval;
        // Wake up in time to give the connection up if no heartbeat succeeds meanwhile.
        if (!_stopRequested && engine.HeartbeatDeadline < deadline) deadline = engine.HeartbeatDeadline;
        await engine.WaitAsync(deadline - now);
        return null;
    }

    private async Task<bool> ApplyAndFetchAsync(int fetchMax)
    {
        if (_sending.Count == 0 && _pending.Count > 0)
        {
            // A new batch gets a new number; a failed one is retried as it is, with its number, so a
            // batch whose reply was lost is recognised as applied instead of applied twice.
            _pending.MoveTo(_sending);
            _sendingPushQueue = engine.PushQueue;
            if (_sendingPushQueue is null && _sending.Pushes.Count > 0)
            {
                _sending.Rejects.AddRange(_sending.Pushes);
                _sending.Pushes.Clear();
            }
            _batchNumber++;
        }
        FetchResult result;
        // A wake that comes while this round trip is under way may be for an element it did not see.
        var wakesBefore = _wakes;
        try
        {
            result = await engine.Store.ApplyAndFetchAsync(engine.Queue, Connection, _sendingPushQueue, _sending, _batchNumber, fetchMax, engine.PrefetchLimit,
                engine.NotifyDeadLetters);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            // The script may have run with its reply lost, leaving fetched elements we do not know of.
            _mayHaveStrays = true;
            _failures++;
            engine.ReportFault(Faults.Classify(e), "apply outcomes and fetch", e, _failures);
            return false;
        }
        _failures = 0;
        _stopFailingSince = DateTime.MaxValue;
        engine.ReportRedisOk();
        if (_lost is not null) return true; // what it fetched stays in unacked; the engine returns it.

        if (result.Replayed) LogReplayed(engine.Queue, _batchNumber, _sending.Count);
        if (_sending.Count > 0) engine.ReportApplied(_sending);
        if (_sending.Retries.Count > 0) engine.ReportRetriesScheduled(TimeSpan.FromMilliseconds(_sending.Retries.Min(r => r.DelayMs)));
        if (result.Missing > 0) LogMissing(engine.Queue, result.Missing);
        _held -= _sending.Count;
        _sending.Clear();

        foreach (var raw in result.Fetched)
        {
            _held++;
            if (TryDecode(raw, out var headers, out var payload, out var error))
            {
                engine.Dispatcher.Add(new Prefetched(raw, new Delivery(engine.Queue, payload, headers, engine.NextDeliveryId())));
            }
            else
            {
                // As Go rmq (v5.1.3+): a header that cannot be decoded is rejected raw, never delivered.
                LogFaultyHeader(engine.Queue, error!);
                _pending.Rejects.Add(raw);
            }
        }
        engine.ReportReady(result.ReadyLength, _calls.Count);
        // Fewer than asked and nothing left: ready is empty, wait for a poll or a wake. (Fewer because
        // unacked had less room than we thought is not that.)
        if (fetchMax > 0 && result.Fetched.Count < fetchMax && result.ReadyLength == 0 && _wakes == wakesBefore)
        {
            _readyMayHaveMore = false;
            var now = DateTime.UtcNow;
            var poll = now < _followUpUntil && PublishCommands.WakeFollowUp < engine.PollInterval ? PublishCommands.WakeFollowUp : engine.PollInterval;
            _nextPollAt = now + poll;
        }
        return true;
    }

    /// <summary>
    /// After a lost reply: elements of our unacked list that we hold nowhere were fetched by a script
    /// whose answer never came. No consumer has seen them: they go back to the front of ready.
    /// Runs only once the failed batch is resolved, so every element we know of is still in unacked.
    /// </summary>
    private async Task<bool> ReconcileAsync()
    {
        RedisValue[] listed;
        try
        {
            listed = await engine.Store.UnackedAsync(Connection, engine.Queue);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            _failures++;
            engine.ReportFault(Faults.Classify(e), "reconcile unacked", e, _failures);
            return false;
        }
        if (_lost is not null) return true;
        var known = new Dictionary<RedisValue, int>();
        void Know(RedisValue raw) => known[raw] = known.GetValueOrDefault(raw) + 1;
        foreach (var p in engine.Dispatcher.QueuedItems) Know(p.Raw);
        foreach (var call in _calls)
            foreach (var p in call.Items) Know(p.Raw);
        foreach (var raw in _pending.All) Know(raw);
        var strays = 0;
        // LRANGE lists newest first; returns are given oldest first.
        for (var i = listed.Length - 1; i >= 0; i--)
        {
            var raw = listed[i];
            if (known.GetValueOrDefault(raw) > 0) known[raw]--;
            else
            {
                _pending.Returns.Add(raw);
                _held++;
                strays++;
            }
        }
        _mayHaveStrays = false;
        if (strays > 0) LogStrays(engine.Queue, strays);
        return true;
    }

    private async Task BackoffAsync()
    {
        if (_stopRequested)
        {
            var now = DateTime.UtcNow;
            if (_stopFailingSince == DateTime.MaxValue) _stopFailingSince = now;
            if (now - _stopFailingSince > StopRetryLimit)
            {
                // Redis stays down while stopping: leave the rest in unacked, where the cleaner finds it.
                LogStopGaveUp(engine.Queue, _pending.Count + _sending.Count);
                Lose(PumpEnd.GaveUpStopping);
                return;
            }
        }
        // A plain delay: signals from consumers finishing must not cut a backoff short.
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(_failures, 5)))));
    }

    /// <summary>Decoding must never stop the queue: whatever fails is a faulty header, rejected raw.</summary>
    private static bool TryDecode(byte[] raw, out IReadOnlyDictionary<string, string[]> headers, out byte[] payload, out string? error)
    {
        try
        {
            return HeaderCodec.TryDecode(raw, out headers, out payload, out error);
        }
        catch (Exception e)
        {
            headers = new Dictionary<string, string[]>();
            payload = raw;
            error = $"decoding failed: {e.GetType().Name}: {e.Message}";
            return false;
        }
    }
}
