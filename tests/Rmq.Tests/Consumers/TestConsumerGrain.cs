using Orleans.Concurrency;

namespace Rmq.Tests.Consumers;

public interface ITestConsumerGrain : IConsumerGrain, IGrainWithStringKey
{
    Task Configure(ConsumerBehaviour behaviour);
    Task<IReadOnlyList<Delivery>> GetDeliveries();
    Task<int> HeldCount();

    /// <summary>Completes the oldest held delivery with <paramref name="outcome"/>.</summary>
    Task Finish(DeliveryOutcome outcome);
}

/// <summary>Records every delivery; acks, holds or throws as configured. Reentrant so tests can finish held deliveries.</summary>
[Reentrant]
public sealed class TestConsumerGrain : Grain, ITestConsumerGrain
{
    private readonly List<Delivery> _deliveries = [];
    private readonly Queue<TaskCompletionSource<DeliveryOutcome>> _held = new();
    private ConsumerBehaviour _behaviour = ConsumerBehaviour.AutoAck;

    public Task Configure(ConsumerBehaviour behaviour)
    {
        _behaviour = behaviour;
        return Task.CompletedTask;
    }

    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        _deliveries.Add(delivery);
        if (_behaviour.Throw) throw new InvalidOperationException($"test consumer fails on {delivery.Payload}");
        if (_behaviour.AutoOutcome is { } outcome) return Task.FromResult(outcome);
        var held = new TaskCompletionSource<DeliveryOutcome>();
        _held.Enqueue(held);
        return held.Task;
    }

    public Task<IReadOnlyList<Delivery>> GetDeliveries() => Task.FromResult<IReadOnlyList<Delivery>>(_deliveries.ToList());

    public Task<int> HeldCount() => Task.FromResult(_held.Count);

    public Task Finish(DeliveryOutcome outcome)
    {
        if (!_held.TryDequeue(out var held)) throw new InvalidOperationException("no held delivery to finish");
        held.SetResult(outcome);
        return Task.CompletedTask;
    }
}
