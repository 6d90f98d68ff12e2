using System.Globalization;
using System.Diagnostics;
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
    private readonly HashSet<InFlightCall> _calls = [];
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
        var room = engine.PrefetchLimit - _held;
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
            result = await engine.Store.ApplyAndFetchAsync(engine.Queue, Connection, _sendingPushQueue, _sending, _batchNumber, fetchMax, engine.PrefetchLimit);
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

    private void StartCall(ConsumerSlot slot, List<Prefetched> items)
    {
        var call = new InFlightCall(slot, items, DateTime.UtcNow);
        _calls.Add(call);
        engine.ReportDelivered(items.Count);
        _ = slot.Single is { } single ? CallAsync(call, single) : CallAsync(call, slot.Batch!);
    }

    /// <summary>One consumer call, from start to the outcome recorded. Never throws.</summary>
    private async Task CallAsync(InFlightCall call, IConsumerGrain consumer)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcome = await consumer.Consume(call.Items[0].Delivery);
            Ended(call, started, CallEnd.Completed, null, outcome, null);
        }
        catch (Exception e)
        {
            Ended(call, started, Faults.ClassifyCall(e), null, default, e);
        }
    }

    /// <inheritdoc cref="CallAsync(InFlightCall, IConsumerGrain)"/>
    private async Task CallAsync(InFlightCall call, IBatchConsumerGrain consumer)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcomes = await consumer.Consume(call.Items.ConvertAll(p => p.Delivery));
            Ended(call, started, CallEnd.Completed, outcomes ?? [], default, null);
        }
        catch (Exception e)
        {
            Ended(call, started, Faults.ClassifyCall(e), null, default, e);
        }
    }

    private void Ended(InFlightCall call, long started, CallEnd end, IReadOnlyList<DeliveryOutcome>? outcomes, DeliveryOutcome single, Exception? error)
    {
        engine.Metrics.ConsumeDuration(engine.Queue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (call.TimedOut)
        {
            // Its deliveries were already handed out again when the timeout passed; all that is left
            // is the slot, busy until now because the consumer grain was still running the call.
            end = CallEnd.TimedOut;
        }
        else
        {
            _calls.Remove(call);
            SafeRecord(call, end, outcomes, single, error);
        }
        var slot = call.Slot;
        engine.Dispatcher.CallEnded(slot, end, DateTime.UtcNow);
        // Only the current pump hands out more: an older one's connection is being given up.
        if (!_stopRequested && !engine.IsPaused && _lost is null && engine.CurrentGeneration == Generation && engine.SiloIsActive()
            && engine.Dispatcher.AssignTo(slot, DateTime.UtcNow) is { } next)
            StartCall(slot, next);
        engine.Signal();
    }

    /// <summary>
    /// Calls that have run longer than the consumer timeout have an unknown outcome: their deliveries
    /// are handed out again (or dead-lettered) now. Called every heartbeat interval, so the timeout is
    /// kept to within one interval, without a timer per call on the hot path.
    /// </summary>
    public void SweepTimeouts(DateTime now)
    {
        if (_calls.Count == 0) return;
        List<InFlightCall>? expired = null;
        foreach (var call in _calls)
            if (now - call.Started >= engine.Options.ConsumerTimeout) (expired ??= []).Add(call);
        if (expired is null) return;
        foreach (var call in expired)
        {
            _calls.Remove(call);
            call.TimedOut = true;
            SafeRecord(call, CallEnd.TimedOut, null, default, null);
        }
        engine.Signal();
    }

    /// <summary>Records an outcome; if that fails (a defect), the deliveries go back to ready rather than being forgotten.</summary>
    private void SafeRecord(InFlightCall call, CallEnd end, IReadOnlyList<DeliveryOutcome>? outcomes, DeliveryOutcome single, Exception? error)
    {
        try
        {
            Record(call, end, outcomes, single, error);
        }
        catch (Exception e)
        {
            engine.ReportFault(FaultKind.Bug, "record outcome", e);
            if (_lost is null && engine.CurrentGeneration == Generation)
                foreach (var p in call.Items) _pending.Returns.Add(p.Raw);
        }
    }

    private void Record(InFlightCall call, CallEnd end, IReadOnlyList<DeliveryOutcome>? outcomes, DeliveryOutcome single, Exception? error)
    {
        var items = call.Items;
        if (_lost is not null || engine.CurrentGeneration != Generation)
        {
            // The connection was given up: its unacked list is (being) returned to ready, so these
            // outcomes must not be applied. The deliveries are consumed again: at-least-once.
            LogOutcomeDropped(engine.Queue, items.Count, Connection);
            return;
        }
        var name = call.Slot.Registration.Name;
        switch (end)
        {
            case CallEnd.Completed when outcomes is null:
                RecordOutcome(items[0], single, name);
                break;
            case CallEnd.Completed when outcomes.Count == items.Count:
                for (var i = 0; i < items.Count; i++) RecordOutcome(items[i], outcomes[i], name);
                break;
            case CallEnd.Completed:
                LogBatchResultMismatch(engine.Queue, name, items.Count, outcomes.Count);
                foreach (var p in items) RecordOutcome(p, DeliveryOutcome.Push, name);
                break;
            case CallEnd.Failed:
                engine.ReportConsumerFault(name, error!);
                // With a retry policy a throw is a failed attempt; without one, Go rmq's way: push (or reject).
                foreach (var p in items)
                    if (engine.RetryPolicy is { } policy) Retry(policy, p, $"consumer {name} threw {error!.GetType().FullName}: {error.Message}");
                    else RecordOutcome(p, DeliveryOutcome.Push, name);
                break;
            case CallEnd.NeverRan:
                LogConsumerUnreachable(engine.Queue, name, error!.GetType().Name, error.Message);
                // Checkpoint: the consumer never saw these; back to the front of ready.
                foreach (var p in items) _pending.Returns.Add(p.Raw);
                break;
            case CallEnd.TimedOut when engine.RetryPolicy is { } policy:
                foreach (var p in items) Retry(policy, p, $"consumer {name} did not answer within {engine.Options.ConsumerTimeout}");
                engine.ReportTimeout(name, items.Count);
                break;
            case CallEnd.TimedOut:
                TimedOut(name, items);
                break;
        }
    }

    /// <summary>
    /// The consumer did not answer within the consumer timeout: it may have done the work, or not.
    /// Each delivery counts one attempt and is handed out again after a backoff; after
    /// <c>Rmq:ConsumerMaxAttempts</c> attempts it goes to rejected, with headers saying why.
    /// (With a retry policy, the policy decides instead: see <see cref="Retry"/>.)
    /// </summary>
    private void TimedOut(string consumer, List<Prefetched> items)
    {
        var now = DateTime.UtcNow;
        var options = engine.Options;
        foreach (var item in items)
        {
            item.TimedOutAttempts++;
            if (item.TimedOutAttempts < options.ConsumerMaxAttempts)
            {
                engine.Dispatcher.Redeliver(item, now);
                continue;
            }
            LogDeadLettered(engine.Queue, consumer, item.TimedOutAttempts, options.ConsumerTimeout);
            var headers = new Dictionary<string, string[]>(item.Delivery.Headers)
            {
                [DeadLetterHeaders.Reason] = [DeadLetterHeaders.ConsumerTimeout],
                [DeadLetterHeaders.Attempts] = [item.TimedOutAttempts.ToString(CultureInfo.InvariantCulture)],
                [DeadLetterHeaders.LastError] = [$"consumer {consumer} did not answer within {options.ConsumerTimeout}"],
            };
            _pending.DeadLetters.Add((item.Raw, HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
        }
        engine.ReportTimeout(consumer, items.Count);
    }

    /// <summary>
    /// A failed attempt under the queue's retry policy: the delivery is scheduled again after the
    /// policy's backoff with <c>rmq-attempt</c> one higher and the error in <c>rmq-last-error</c>; after
    /// the last attempt it goes to rejected, its attempt header replaced by <c>rmq-reason</c>,
    /// <c>rmq-attempts</c> and <c>rmq-last-error</c>. The element changes (its header), so Redis
    /// removes the old one from unacked and stores the new one, in the same script as the other outcomes.
    /// </summary>
    private void Retry(RetryPolicy policy, Prefetched item, string error)
    {
        var attempt = item.Delivery.Attempt;
        var headers = new Dictionary<string, string[]>(item.Delivery.Headers)
        {
            [DeadLetterHeaders.LastError] = [DeadLetterHeaders.Truncate(error)],
        };
        if (attempt >= policy.MaxAttempts)
        {
            LogRetriesExhausted(engine.Queue, attempt, error);
            headers.Remove(DeadLetterHeaders.Attempt);
            headers[DeadLetterHeaders.Reason] = [DeadLetterHeaders.RetriesExhausted];
            headers[DeadLetterHeaders.Attempts] = [attempt.ToString(CultureInfo.InvariantCulture)];
            _pending.DeadLetters.Add((item.Raw, HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
            return;
        }
        headers[DeadLetterHeaders.Attempt] = [(attempt + 1).ToString(CultureInfo.InvariantCulture)];
        var delay = policy.BackoffAfter(attempt, Random.Shared.NextDouble());
        _pending.Retries.Add((item.Raw, ScheduleCommands.NewId(), (long)Math.Ceiling(delay.TotalMilliseconds),
            HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
    }

    private void RecordOutcome(Prefetched item, DeliveryOutcome outcome, string consumer)
    {
        if (outcome == DeliveryOutcome.Retry && engine.RetryPolicy is { } policy)
        {
            Retry(policy, item, $"consumer {consumer} returned Retry");
            return;
        }
        var target = outcome switch
        {
            DeliveryOutcome.Ack => _pending.Acks,
            DeliveryOutcome.Reject => _pending.Rejects,
            // Push, Retry without a policy (as a throw), and any value this version does not know.
            _ => engine.PushQueue is null ? _pending.Rejects : _pending.Pushes,
        };
        target.Add(item.Raw);
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


    /// <summary>A consumer call under way.</summary>
    private sealed class InFlightCall(ConsumerSlot slot, List<Prefetched> items, DateTime started)
    {
        public ConsumerSlot Slot { get; } = slot;
        public List<Prefetched> Items { get; } = items;
        public DateTime Started { get; } = started;

        /// <summary>The timeout passed: its deliveries were handed out again; its outcome, if it comes, is dropped.</summary>
        public bool TimedOut { get; set; }
    }
}
