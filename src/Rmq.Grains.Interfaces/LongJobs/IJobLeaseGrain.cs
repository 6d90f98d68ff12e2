namespace Rmq;

/// <summary>
/// The queue's side of long-running jobs' leases (key: the queue's name), called by the silo that runs a
/// <see cref="ILongRunningConsumerGrain"/>, never by application code.
/// </summary>
public interface IJobLeaseGrain : IGrainWithStringKey
{
    /// <summary>
    /// Renews the lease of the run named by <paramref name="lease"/> (<see cref="JobContext.Lease"/>) and records
    /// its progress. Answers <see cref="JobCancelReason.None"/> to go on, or why the run should stop —
    /// <see cref="JobCancelReason.LeaseLost"/> for a run the queue does not hold (a stale one: counted, changes nothing).
    /// </summary>
    Task<JobCancelReason> RenewLease(long lease, JobProgress? progress);
}
