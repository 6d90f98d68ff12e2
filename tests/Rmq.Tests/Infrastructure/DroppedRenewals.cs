using Orleans.Runtime;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// A fault for the silos of a test cluster: every lease renewal of a long-running job (<see cref="IJobLeaseGrain.RenewLease"/>)
/// to a queue whose name starts with <see cref="QueuePrefix"/> fails as if it never arrived — what a lost network between
/// the consumer's silo and the queue's looks like, with both silos alive. The queue only learns of it by its lease.
/// Renewals to a queue a test holds (<see cref="HeldRenewals"/>) wait until it releases them.
/// </summary>
public sealed class DroppedRenewals : IIncomingGrainCallFilter
{
    public const string QueuePrefix = "unrenewed";

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Request.GetMethodName() == nameof(IJobLeaseGrain.RenewLease))
        {
            var queue = context.TargetId.Key.ToString()!;
            if (queue.StartsWith(QueuePrefix, StringComparison.Ordinal))
                throw new TimeoutException("the renewal was dropped by the test's DroppedRenewals fault");
            await HeldRenewals.WhenReleased(queue);
        }
        await context.Invoke();
    }
}
