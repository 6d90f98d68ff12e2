using System.Diagnostics;
using System.Globalization;
using Orleans.Serialization;
using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>The consumer calls of a connection and their outcomes: each call started, awaited, timed out or ended, and each delivery's outcome recorded for the next ApplyAndFetch — acked, rejected, pushed, returned, retried under the queue's retry policy (<see cref="Retry"/>: where a delivery is retried) or dead-lettered.</summary>
internal sealed partial class ConnectionPump
{
    private readonly HashSet<InFlightCall> _calls = [];
    private void StartCall(ConsumerSlot slot, List<Prefetched> items)
    {
        var call = new InFlightCall(slot, items, DateTime.UtcNow);
        _calls.Add(call);
        engine.ReportDelivered(items.Count);
        if (slot.LongRunning is { } longRunning) StartJob(call, longRunning);
        else _ = slot.Single is { } single ? CallAsync(call, single) : CallAsync(call, slot.Batch!);
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
            if (call.Job is { } given)
            {
                _givenUp.Remove(given.Lease);
                engine.StaleJobOutcomes++;
                LogStaleOutcome(engine.Queue, call.Slot.Registration.Name, call.Items[0].Delivery.Id, call.CancelRequested);
            }
        }
        else
        {
            _calls.Remove(call);
            if (call.Job is { } job) _jobs.Remove(job.Lease);
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
        var changed = SweepJobs(now);
        List<InFlightCall>? expired = null;
        foreach (var call in _calls)
            if (call.Job is null && now - call.Started >= engine.Options.ConsumerTimeout) (expired ??= []).Add(call);
        if (expired is null)
        {
            if (changed) engine.Signal();
            return;
        }
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
            case CallEnd.Failed when call.Job is not null && CancelledFor(call, error!) is var reason and not JobCancelReason.None:
                // Told by another activation of the queue that it does not hold the run: an unknown outcome.
                if (reason is JobCancelReason.LeaseLost or JobCancelReason.MaxRunTime) NoOutcome(call);
                else RecordCancelled(call, reason);
                break;
            case CallEnd.Failed when error is PermanentFailureException permanent:
                foreach (var p in items) FailPermanently(p, name, permanent.Message);
                break;
            case CallEnd.Failed when engine.RetryPolicy is { NeverRetry.Count: > 0 } policy && NeverRetried(policy, error!) is { } type:
                foreach (var p in items) FailPermanently(p, name, $"{type} is never retried: {error!.Message}");
                break;
            case CallEnd.Failed when error is RetryLaterException later:
                foreach (var p in items) RetryAfter(p, later.Delay, engine.RetryPolicy?.MaxAttempts, $"consumer {name} asked to retry after {later.Delay}: {later.Message}");
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
            case CallEnd.TimedOut:
                NoOutcome(call);
                break;
        }
    }

    /// <summary>The call timed out, or the job's lease passed: the outcome is unknown, and the attempt counts.</summary>
    private void NoOutcome(InFlightCall call)
    {
        var name = call.Slot.Registration.Name;
        if (engine.RetryPolicy is { } policy)
        {
            foreach (var p in call.Items) Retry(policy, p, NoAnswer(call));
            engine.ReportTimeout(name, call.Items.Count);
        }
        else
        {
            TimedOut(name, call.Items, NoAnswer(call));
        }
    }

    /// <summary>Why a call's outcome is unknown, in words for <c>rmq-last-error</c>.</summary>
    private string NoAnswer(InFlightCall call) => call.Job is null
        ? $"consumer {call.Slot.Registration.Name} did not answer within {engine.Options.ConsumerTimeout}"
        : $"the lease of consumer {call.Slot.Registration.Name}'s job was not renewed within {call.Job.LeaseDuration}";

    /// <summary>Why a job stopped when its call threw a cancellation, or <see cref="JobCancelReason.None"/> for any other failure.</summary>
    private static JobCancelReason CancelledFor(InFlightCall call, Exception error) => error switch
    {
        JobCancelledException { Reason: not JobCancelReason.None } cancelled => cancelled.Reason,
        OperationCanceledException => call.CancelRequested,
        _ => JobCancelReason.None,
    };

    /// <summary>
    /// The consumer did not answer within the consumer timeout: it may have done the work, or not.
    /// Each delivery counts one attempt and is handed out again after a backoff; after
    /// <c>Rmq:ConsumerMaxAttempts</c> attempts it goes to rejected, with headers saying why.
    /// (With a retry policy, the policy decides instead: see <see cref="Retry"/>.)
    /// </summary>
    private void TimedOut(string consumer, List<Prefetched> items, string why)
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
            DeadLetter(item, DeadLetterHeaders.ConsumerTimeout, item.TimedOutAttempts, why);
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
    private void Retry(RetryPolicy policy, Prefetched item, string error) =>
        RetryAfter(item, policy.BackoffAfter(item.Delivery.Attempt, Random.Shared.NextDouble()), policy.MaxAttempts, error);

    /// <summary>
    /// A failed attempt to try again after <paramref name="delay"/>: as <see cref="Retry"/>, with the delay given, and
    /// dead-lettered after <paramref name="maxAttempts"/> (null: no bound, for a consumer's own RetryLaterException).
    /// </summary>
    private void RetryAfter(Prefetched item, TimeSpan delay, int? maxAttempts, string error)
    {
        var attempt = item.Delivery.Attempt;
        if (attempt >= maxAttempts)
        {
            LogRetriesExhausted(engine.Queue, attempt, error);
            DeadLetter(item, DeadLetterHeaders.RetriesExhausted, attempt, error);
            return;
        }
        var headers = new Dictionary<string, string[]>(item.Delivery.Headers)
        {
            [DeadLetterHeaders.LastError] = [DeadLetterHeaders.Truncate(error)],
            [DeadLetterHeaders.Attempt] = [(attempt + 1).ToString(CultureInfo.InvariantCulture)],
        };
        _pending.Retries.Add((item.Raw, ScheduleCommands.NewId(), (long)Math.Ceiling(delay.TotalMilliseconds),
            HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
    }

    /// <summary>
    /// The name of the exception type in the policy's NeverRetry list that <paramref name="error"/> is (or derives from),
    /// or null. A type the queue's silo does not know arrives as Orleans' fallback, which keeps the thrown type's name.
    /// </summary>
    internal static string? NeverRetried(RetryPolicy policy, Exception error)
    {
        if (error is UnavailableExceptionFallbackException fallback)
            return fallback.ExceptionType is { } thrown && policy.IsNeverRetried(thrown) ? thrown : null;
        for (var type = error.GetType(); type is not null; type = type.BaseType)
            if (type.FullName is { } name && policy.IsNeverRetried(name)) return name;
        return null;
    }

    /// <summary>The consumer said trying again cannot help: to rejected at once, with headers saying why.</summary>
    private void FailPermanently(Prefetched item, string consumer, string reason)
    {
        LogPermanentFailure(engine.Queue, consumer, item.Delivery.Id, reason);
        DeadLetter(item, DeadLetterHeaders.PermanentFailure, item.Delivery.Attempt, $"consumer {consumer} failed permanently: {reason}");
    }

    /// <summary>
    /// Moves a delivery to rejected by Rmq's own decision: its headers say why (<c>rmq-reason</c>, <c>rmq-attempts</c>,
    /// <c>rmq-last-error</c>), and its <c>rmq-attempt</c> goes, since no attempt follows. The publisher's headers stay.
    /// </summary>
    private void DeadLetter(Prefetched item, string reason, int attempts, string lastError)
    {
        var headers = new Dictionary<string, string[]>(item.Delivery.Headers)
        {
            [DeadLetterHeaders.Reason] = [reason],
            [DeadLetterHeaders.Attempts] = [attempts.ToString(CultureInfo.InvariantCulture)],
            [DeadLetterHeaders.LastError] = [DeadLetterHeaders.Truncate(lastError)],
        };
        headers.Remove(DeadLetterHeaders.Attempt);
        _pending.DeadLetters.Add((item.Raw, HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
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

    /// <summary>A consumer call under way.</summary>
    private sealed class InFlightCall(ConsumerSlot slot, List<Prefetched> items, DateTime started)
    {
        public ConsumerSlot Slot { get; } = slot;
        public List<Prefetched> Items { get; } = items;
        public DateTime Started { get; } = started;

        /// <summary>The timeout passed: its deliveries were handed out again; its outcome, if it comes, is dropped.</summary>
        public bool TimedOut { get; set; }

        /// <summary>A long-running job's context (its lease), or null for a plain call.</summary>
        public JobContext? Job { get; set; }

        /// <summary>When the consumer's silo last renewed the job's lease.</summary>
        public DateTime LastRenewed { get; set; }

        public int Renewals { get; set; }

        /// <summary>The silo the job's renewals come from, once one has said (RenewingSilo).</summary>
        public SiloAddress? RenewedFrom { get; set; }

        public JobProgress? Progress { get; set; }

        /// <summary>Why the job was asked to stop (told at its next renewal), or None.</summary>
        public JobCancelReason CancelRequested { get; set; }

        /// <summary>A renewal has carried <see cref="CancelRequested"/> to the job: it cannot be withdrawn.</summary>
        public bool CancelTold { get; set; }
    }
}
