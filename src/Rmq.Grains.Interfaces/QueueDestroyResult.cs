namespace Rmq;

/// <summary>What <see cref="IQueueGrain.Destroy"/> deleted.</summary>
/// <param name="ReadyCount">Ready deliveries deleted.</param>
/// <param name="RejectedCount">Rejected deliveries deleted.</param>
[GenerateSerializer, Immutable]
public sealed record QueueDestroyResult(
    [property: Id(0)] long ReadyCount,
    [property: Id(1)] long RejectedCount);
