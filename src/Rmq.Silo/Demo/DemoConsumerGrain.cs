namespace Rmq.Silo.Demo;

/// <summary>The demo's consumer: acks everything except payloads marked bad, which it rejects.</summary>
public interface IDemoConsumerGrain : IConsumerGrain, IGrainWithIntegerKey;

internal sealed class DemoConsumerGrain : Grain, IDemoConsumerGrain
{
    public Task<DeliveryOutcome> Consume(Delivery delivery) =>
        Task.FromResult(delivery.Payload.StartsWith("bad", StringComparison.Ordinal) ? DeliveryOutcome.Reject : DeliveryOutcome.Ack);
}

/// <summary>The demo's batch consumer: the same rule, a batch at a time.</summary>
public interface IDemoBatchConsumerGrain : IBatchConsumerGrain, IGrainWithIntegerKey;

internal sealed class DemoBatchConsumerGrain : Grain, IDemoBatchConsumerGrain
{
    public Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch) =>
        Task.FromResult<IReadOnlyList<DeliveryOutcome>>(batch
            .Select(d => d.Payload.StartsWith("bad", StringComparison.Ordinal) ? DeliveryOutcome.Reject : DeliveryOutcome.Ack)
            .ToList());
}
