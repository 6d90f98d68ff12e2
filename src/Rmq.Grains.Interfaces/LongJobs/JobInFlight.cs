namespace Rmq;

/// <summary>A long-running job in flight, as <see cref="IQueueGrain.GetJobsInFlight"/> lists it.</summary>
/// <param name="DeliveryId">The delivery's <see cref="Delivery.Id"/>: what <see cref="IQueueGrain.CancelInFlight"/> takes.</param>
/// <param name="Consumer">The registered name of the consumer running it.</param>
/// <param name="Attempt">The delivery's attempt (<see cref="Delivery.Attempt"/>).</param>
/// <param name="Started">When its run started (UTC).</param>
/// <param name="LastRenewed">When the consumer's silo last renewed its lease (UTC).</param>
/// <param name="Progress">What the job last reported, or null.</param>
/// <param name="CancelRequested">Why it was asked to stop, or <see cref="JobCancelReason.None"/>.</param>
[GenerateSerializer, Immutable]
public sealed record JobInFlight(
    [property: Id(0)] long DeliveryId,
    [property: Id(1)] string Consumer,
    [property: Id(2)] int Attempt,
    [property: Id(3)] DateTime Started,
    [property: Id(4)] DateTime LastRenewed,
    [property: Id(5)] JobProgress? Progress,
    [property: Id(6)] JobCancelReason CancelRequested);
