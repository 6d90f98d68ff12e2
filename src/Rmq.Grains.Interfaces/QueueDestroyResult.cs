namespace Rmq;

/// <summary>What <see cref="IQueueGrain.Destroy"/> deleted.</summary>
/// <param name="ReadyCount">Ready deliveries deleted.</param>
/// <param name="RejectedCount">Rejected deliveries deleted.</param>
/// <param name="ScheduledCount">Delayed and scheduled deliveries (not yet due) deleted.</param>
/// <param name="RecurringCount">Recurring jobs deleted (with their pending occurrences).</param>
[GenerateSerializer, Immutable]
public sealed record QueueDestroyResult(
    [property: Id(0)] long ReadyCount,
    [property: Id(1)] long RejectedCount,
    [property: Id(2)] long ScheduledCount = 0,
    [property: Id(3)] long RecurringCount = 0);
