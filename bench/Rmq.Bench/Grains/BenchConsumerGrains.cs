namespace Rmq.Bench.Grains;

/// <summary>Acks every delivery after reporting it to the <see cref="ConsumeProbe"/>.</summary>
public interface IBenchConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>Acks every batch after reporting it to the <see cref="ConsumeProbe"/>.</summary>
public interface IBenchBatchConsumerGrain : IBatchConsumerGrain, IGrainWithStringKey;

/// <summary>Holds each delivery until the probe's gate opens, then acks it (the memory scenario).</summary>
public interface IHoldingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

internal sealed class BenchConsumerGrain(ConsumeProbe probe) : Grain, IBenchConsumerGrain
{
    private static readonly Task<DeliveryOutcome> Ack = Task.FromResult(DeliveryOutcome.Ack);

    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        probe.Consumed(delivery);
        return Ack;
    }
}

internal sealed class BenchBatchConsumerGrain(ConsumeProbe probe) : Grain, IBenchBatchConsumerGrain
{
    public Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch)
    {
        probe.Consumed(batch);
        var outcomes = new DeliveryOutcome[batch.Count]; // Ack is 0: a new array is all acks
        return Task.FromResult<IReadOnlyList<DeliveryOutcome>>(outcomes);
    }
}

internal sealed class HoldingConsumerGrain(ConsumeProbe probe) : Grain, IHoldingConsumerGrain
{
    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        await probe.Gate;
        return DeliveryOutcome.Ack;
    }
}
