using System.Diagnostics;
using System.Globalization;
using Rmq.LongJobs;
using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>
/// Long-running jobs (<see cref="ILongRunningConsumerGrain"/>): each run is named by a random lease number, renewed by
/// the consumer's silo (LongJobs/LeaseKeeper.cs); a run whose lease passes is handed out again as a timed-out call, one
/// past <c>Rmq:JobMaxRunTime</c> is dead-lettered; both are dropped from here, so what they return or renew later is
/// stale — dropped and counted. Pause, stop and an operator ask a run to stop through its next renewal's answer.
/// </summary>
internal sealed partial class ConnectionPump
{
    private readonly Dictionary<long, InFlightCall> _jobs = [];

    /// <summary>Runs given up whose call has not ended yet, and why: what their renewals are told (the call's end removes them).</summary>
    private readonly Dictionary<long, JobCancelReason> _givenUp = [];

    private void StartJob(InFlightCall call, ILongRunningConsumerGrain consumer)
    {
        long lease;
        do lease = Random.Shared.NextInt64(1, long.MaxValue); while (_jobs.ContainsKey(lease));
        var registration = call.Slot.Registration;
        call.Job = new JobContext(engine.Queue, lease, registration.JobLease ?? engine.Options.JobLease, call.Started,
            registration.JobMaxRunTime ?? engine.Options.JobMaxRunTime);
        call.LastRenewed = call.Started;
        _jobs.Add(lease, call);
        _ = RunJobAsync(call, consumer);
    }

    /// <inheritdoc cref="CallAsync(InFlightCall, IConsumerGrain)"/>
    private async Task RunJobAsync(InFlightCall call, ILongRunningConsumerGrain consumer)
    {
        var started = Stopwatch.GetTimestamp();
        RenewingSilo.Clear();
        try
        {
            var outcome = await consumer.Run(call.Items[0].Delivery, call.Job!);
            Ended(call, started, CallEnd.Completed, null, outcome, null);
        }
        catch (Exception e)
        {
            var end = Faults.ClassifyCall(e);
            // Renewed at least once: it ran, whatever Orleans says about the silo that ran it.
            if (end == CallEnd.NeverRan && call.Renewals > 0) end = CallEnd.TimedOut;
            Ended(call, started, end, null, default, e);
        }
    }

    /// <summary>A renewal from the consumer's silo: the run goes on, or is told why it should stop.</summary>
    public JobCancelReason RenewLease(long lease, JobProgress? progress, SiloAddress? from, DateTime now)
    {
        if (!_jobs.TryGetValue(lease, out var call))
        {
            engine.StaleJobRenewals++;
            return _givenUp.GetValueOrDefault(lease, JobCancelReason.LeaseLost);
        }
        call.LastRenewed = now;
        call.Renewals++;
        if (from is not null) call.RenewedFrom = from;
        if (progress is not null) call.Progress = progress;
        // A job that is alive is progress, even while all consumers are busy with long ones.
        engine.ReportJobAlive(now);
        if (call.CancelRequested != JobCancelReason.None) call.CancelTold = true;
        return call.CancelRequested;
    }

    /// <summary>
    /// Gives every job in flight up without waiting for it (the queue is deactivating): its delivery goes back to the
    /// front of ready, no attempt counted; what the run returns or renews later is stale. A run whose silo membership
    /// has declared dead is not stopping but lost: it counts as an attempt, as when its lease passes. (Orleans'
    /// default directory deactivates the grains whose entries a dead silo held, so a silo's death can end the queue
    /// a moment before the broken call would have told it the run was lost.)
    /// </summary>
    public void ReleaseJobs()
    {
        if (_jobs.Count == 0) return;
        foreach (var call in _jobs.Values.ToList())
        {
            if (call.RenewedFrom is { } silo && engine.SiloIsDead(silo))
            {
                LogJobSiloDead(engine.Queue, call.Slot.Registration.Name, call.Items[0].Delivery.Id, silo);
                GiveUp(call, JobCancelReason.LeaseLost);
                SafeRecord(call, CallEnd.TimedOut, null, default, null);
                continue;
            }
            GiveUp(call, JobCancelReason.Stopped);
            if (_lost is null && engine.CurrentGeneration == Generation) _pending.Returns.Add(call.Items[0].Raw);
        }
        engine.Signal();
    }

    /// <summary>Asks every job in flight to stop, for <paramref name="reason"/> (pause, stop).</summary>
    public void CancelJobs(JobCancelReason reason)
    {
        foreach (var call in _jobs.Values)
            if (call.CancelRequested == JobCancelReason.None) call.CancelRequested = reason;
    }

    /// <summary>Withdraws the requests for <paramref name="reason"/> that no renewal has carried to their job yet.</summary>
    public void WithdrawJobCancels(JobCancelReason reason)
    {
        foreach (var call in _jobs.Values)
            if (call.CancelRequested == reason && !call.CancelTold) call.CancelRequested = JobCancelReason.None;
    }

    /// <summary>Asks the job running delivery <paramref name="deliveryId"/> to stop; false when no job in flight has it.</summary>
    public bool CancelJob(long deliveryId, JobCancelReason reason)
    {
        foreach (var call in _jobs.Values)
        {
            if (call.Items[0].Delivery.Id != deliveryId) continue;
            if (call.CancelRequested == JobCancelReason.None) call.CancelRequested = reason;
            return true;
        }
        return false;
    }

    public IReadOnlyList<JobInFlight> JobsInFlight() => _jobs.Count == 0 ? [] : _jobs.Values
        .Select(c => new JobInFlight(c.Items[0].Delivery.Id, c.Slot.Registration.Name, c.Items[0].Delivery.Attempt, c.Started,
            c.LastRenewed, c.Progress, c.CancelRequested))
        .OrderBy(j => j.Started)
        .ToList();

    /// <summary>
    /// Every heartbeat interval: runs whose lease passed are handed out again; runs past their maximum run time are
    /// dead-lettered. True when it gave one up (the loop has outcomes to write).
    /// </summary>
    private bool SweepJobs(DateTime now)
    {
        if (_jobs.Count == 0) return false;
        List<InFlightCall>? lost = null;
        List<InFlightCall>? overrun = null;
        foreach (var call in _jobs.Values)
        {
            if (now - call.Started >= call.Job!.MaxRunTime) (overrun ??= []).Add(call);
            else if (now - call.LastRenewed >= call.Job.LeaseDuration) (lost ??= []).Add(call);
        }
        foreach (var call in lost ?? [])
        {
            LogLeaseLost(engine.Queue, call.Slot.Registration.Name, call.Items[0].Delivery.Id, now - call.LastRenewed);
            GiveUp(call, JobCancelReason.LeaseLost);
            SafeRecord(call, CallEnd.TimedOut, null, default, null);
        }
        foreach (var call in overrun ?? [])
        {
            GiveUp(call, JobCancelReason.MaxRunTime);
            DeadLetterOverrun(call);
        }
        return lost is not null || overrun is not null;
    }

    /// <summary>The queue no longer holds the run: it is told so at its next renewal, and what it returns is dropped.</summary>
    private void GiveUp(InFlightCall call, JobCancelReason reason)
    {
        _jobs.Remove(call.Job!.Lease);
        _givenUp[call.Job.Lease] = reason;
        _calls.Remove(call);
        call.TimedOut = true;
        call.CancelRequested = reason;
    }

    private void DeadLetterOverrun(InFlightCall call)
    {
        if (_lost is not null || engine.CurrentGeneration != Generation) return;
        var item = call.Items[0];
        var consumer = call.Slot.Registration.Name;
        LogMaxRunTime(engine.Queue, consumer, item.Delivery.Id, call.Job!.MaxRunTime);
        DeadLetter(item, DeadLetterHeaders.MaxRunTime, item.Delivery.Attempt, $"job of consumer {consumer} ran longer than {call.Job.MaxRunTime}");
    }

    /// <summary>
    /// A job that stopped because it was asked to (or its silo shuts down): back to the front of ready, no attempt
    /// counted; to rejected with <c>rmq-reason: cancelled</c> when an operator asked.
    /// </summary>
    private void RecordCancelled(InFlightCall call, JobCancelReason reason)
    {
        var item = call.Items[0];
        LogJobCancelled(engine.Queue, call.Slot.Registration.Name, item.Delivery.Id, reason);
        if (reason != JobCancelReason.Operator)
        {
            _pending.Returns.Add(item.Raw);
            return;
        }
        var headers = new Dictionary<string, string[]>(item.Delivery.Headers)
        {
            [DeadLetterHeaders.Reason] = [DeadLetterHeaders.Cancelled],
            [DeadLetterHeaders.LastError] = [$"job of consumer {call.Slot.Registration.Name} was cancelled by an operator"],
        };
        _pending.DeadLetters.Add((item.Raw, HeaderCodec.Encode(item.Delivery.PayloadBytes, headers)));
    }
}
