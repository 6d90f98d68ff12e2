using Rmq.LongJobs;

namespace Rmq.Queue;

/// <summary>Long-running jobs: routed to the consuming engine's current connection, which holds their leases (Consuming/ConnectionPump.LongJobs.cs).</summary>
internal sealed partial class QueueGrain : IJobLeaseGrain
{
    public Task<JobCancelReason> RenewLease(long lease, JobProgress? progress) =>
        Task.FromResult(_engine?.RenewLease(lease, progress, RenewingSilo.Current) ?? JobCancelReason.LeaseLost);

    public Task<IReadOnlyList<JobInFlight>> GetJobsInFlight()
    {
        EnsureValidName();
        return Task.FromResult(_engine?.JobsInFlight() ?? []);
    }

    public Task<bool> CancelInFlight(long deliveryId)
    {
        EnsureValidName();
        return Task.FromResult(_engine?.CancelJob(deliveryId, JobCancelReason.Operator) ?? false);
    }
}
