namespace Rmq;

/// <summary>Implemented by user grains that consume deliveries in batches.</summary>
public interface IBatchConsumerGrain : IGrain
{
    /// <summary>
    /// Processes a batch and returns one outcome per delivery, in the same order. An exception is a failed
    /// attempt for every delivery of the batch: with a retry policy on the queue, each is retried after the
    /// policy's backoff (or dead-lettered after its last attempt); without one, each is pushed
    /// (<see cref="DeliveryOutcome.Push"/>; rejected when the queue has no push queue). A result of the wrong
    /// length counts as <see cref="DeliveryOutcome.Push"/> for the whole batch, with or without a policy.
    /// </summary>
    Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch);
}
