namespace Rmq.Queue;

/// <summary>Long-running jobs, as far as the engine is concerned: routed to the current connection's pump, which holds their leases.</summary>
internal sealed partial class ConsumingEngine
{
    /// <summary>Outcomes of long-running jobs that came after their run was given up, since the engine started.</summary>
    public long StaleJobOutcomes { get; set; }

    /// <summary>Renewals of runs no longer held, since the engine started.</summary>
    public long StaleJobRenewals { get; set; }

    /// <summary>A renewal from the consumer's silo; <see cref="JobCancelReason.LeaseLost"/> when no connection holds the run.</summary>
    public JobCancelReason RenewLease(long lease, JobProgress? progress, SiloAddress? from)
    {
        if (_pump is { IsLost: false } pump) return pump.RenewLease(lease, progress, from, DateTime.UtcNow);
        StaleJobRenewals++;
        return JobCancelReason.LeaseLost;
    }

    public IReadOnlyList<JobInFlight> JobsInFlight() => _pump?.JobsInFlight() ?? [];

    /// <summary>Resumed before the jobs heard of the pause: they go on.</summary>
    public void WithdrawJobCancels(JobCancelReason reason) => _pump?.WithdrawJobCancels(reason);

    public bool CancelJob(long deliveryId, JobCancelReason reason) => _pump?.CancelJob(deliveryId, reason) ?? false;

    /// <summary>Whether membership has declared a silo dead (set by the queue grain; never, by default).</summary>
    public Func<SiloAddress, bool> SiloIsDead { get; init; } = static _ => false;

    /// <summary>A long-running job renewed its lease: the queue is working, not stalled.</summary>
    public void ReportJobAlive(DateTime now) => _lastProgress = now;
}
