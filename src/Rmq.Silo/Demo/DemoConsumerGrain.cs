using Rmq.Demo;

namespace Rmq.Silo.Demo;

internal sealed class DemoConsumerGrain : Grain, IDemoConsumerGrain
{
    public Task<DeliveryOutcome> Consume(Delivery delivery) => Task.FromResult(Decide(delivery));

    internal static DeliveryOutcome Decide(Delivery delivery) =>
        delivery.Payload.StartsWith("bad", StringComparison.Ordinal) ? DeliveryOutcome.Reject : DeliveryOutcome.Ack;
}

internal sealed class DemoBatchConsumerGrain : Grain, IDemoBatchConsumerGrain
{
    public Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch) =>
        Task.FromResult<IReadOnlyList<DeliveryOutcome>>(batch.Select(DemoConsumerGrain.Decide).ToList());
}
