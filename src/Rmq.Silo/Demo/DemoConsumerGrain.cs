using Rmq.Demo;

namespace Rmq.Silo.Demo;

internal sealed class DemoConsumerGrain : Grain, IDemoConsumerGrain
{
    public Task<DeliveryOutcome> Consume(Delivery delivery) => Task.FromResult(Decide(delivery));

    /// <summary>"bad…" is rejected; "flaky…" asks for a retry on its first attempt (acked on the next, under a retry policy); the rest is acked.</summary>
    internal static DeliveryOutcome Decide(Delivery delivery) =>
        delivery.Payload.StartsWith("bad", StringComparison.Ordinal) ? DeliveryOutcome.Reject
        : delivery.Payload.StartsWith("flaky", StringComparison.Ordinal) && delivery.Attempt == 1 ? DeliveryOutcome.Retry
        : DeliveryOutcome.Ack;
}

internal sealed class DemoBatchConsumerGrain : Grain, IDemoBatchConsumerGrain
{
    public Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch) =>
        Task.FromResult<IReadOnlyList<DeliveryOutcome>>(batch.Select(DemoConsumerGrain.Decide).ToList());
}
