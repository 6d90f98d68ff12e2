using Orleans.Concurrency;

namespace Rmq.Tests.Consumers;

public interface ITestBatchConsumerGrain : IBatchConsumerGrain, IGrainWithStringKey
{
    Task Configure(ConsumerBehaviour behaviour);
    Task<IReadOnlyList<IReadOnlyList<Delivery>>> GetBatches();

    /// <summary>Completes the oldest held batch with one outcome per delivery.</summary>
    Task Finish(IReadOnlyList<DeliveryOutcome> outcomes);
}

[Reentrant]
public sealed class TestBatchConsumerGrain : Grain, ITestBatchConsumerGrain
{
    private readonly List<IReadOnlyList<Delivery>> _batches = [];
    private readonly Queue<TaskCompletionSource<IReadOnlyList<DeliveryOutcome>>> _held = new();
    private ConsumerBehaviour _behaviour = ConsumerBehaviour.AutoAck;

    public Task Configure(ConsumerBehaviour behaviour)
    {
        _behaviour = behaviour;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch)
    {
        _batches.Add(batch);
        if (_behaviour.Throw) throw new InvalidOperationException("test batch consumer fails");
        if (_behaviour.AutoOutcome is { } outcome)
            return Task.FromResult<IReadOnlyList<DeliveryOutcome>>(batch.Select(_ => outcome).ToList());
        var held = new TaskCompletionSource<IReadOnlyList<DeliveryOutcome>>();
        _held.Enqueue(held);
        return held.Task;
    }

    public Task<IReadOnlyList<IReadOnlyList<Delivery>>> GetBatches() =>
        Task.FromResult<IReadOnlyList<IReadOnlyList<Delivery>>>(_batches.ToList());

    public Task Finish(IReadOnlyList<DeliveryOutcome> outcomes)
    {
        if (!_held.TryDequeue(out var held)) throw new InvalidOperationException("no held batch to finish");
        held.SetResult(outcomes);
        return Task.CompletedTask;
    }
}
