namespace Rmq.Queue;

/// <summary>Long-running jobs, as far as the engine is concerned: routed to the current connection's pump, which holds their leases.</summary>
internal sealed partial class ConsumingEngine
{
    /// <summary>Renewals and outcomes of long-running jobs that named a run no longer held, since the engine started.</summary>
    public long StaleJobReports { get; set; }

    /// <summary>A renewal from the consumer's silo; <see cref="JobCancelReason.LeaseLost"/> when no connection holds the run.</summary>
    public JobCancelReason RenewLease(long lease, JobProgress? progress)
    {
        if (_pump is { IsLost: false } pump) return pump.RenewLease(lease, progress, DateTime.UtcNow);
        StaleJobReports++;
        return JobCancelReason.LeaseLost;
    }

    public IReadOnlyList<JobInFlight> JobsInFlight() => _pump?.JobsInFlight() ?? [];

    public bool CancelJob(long deliveryId, JobCancelReason reason) => _pump?.CancelJob(deliveryId, reason) ?? false;

    /// <summary>A long-running job renewed its lease: the queue is working, not stalled.</summary>
    public void ReportJobAlive(DateTime now) => _lastProgress = now;
}
