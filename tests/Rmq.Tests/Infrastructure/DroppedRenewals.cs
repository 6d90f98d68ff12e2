using Orleans.Runtime;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// A fault for the silos of a test cluster: every lease renewal of a long-running job (<see cref="IJobLeaseGrain.RenewLease"/>)
/// to a queue whose name starts with <see cref="QueuePrefix"/> fails as if it never arrived — what a lost network between
/// the consumer's silo and the queue's looks like, with both silos alive. The queue only learns of it by its lease.
/// </summary>
public sealed class DroppedRenewals : IIncomingGrainCallFilter
{
    public const string QueuePrefix = "unrenewed";

    public Task Invoke(IIncomingGrainCallContext context) =>
        context.Request.GetMethodName() == nameof(IJobLeaseGrain.RenewLease) && context.TargetId.Key.ToString().StartsWith(QueuePrefix, StringComparison.Ordinal)
            ? Task.FromException(new TimeoutException("the renewal was dropped by the test's DroppedRenewals fault"))
            : context.Invoke();
}
