namespace Rmq;

/// <summary>Implemented by user grains that consume deliveries in batches.</summary>
public interface IBatchConsumerGrain : IGrain
{
    /// <summary>
    /// Processes a batch and returns one outcome per delivery, in the same order. A result of the
    /// wrong length, or an exception, counts as <see cref="DeliveryOutcome.Push"/> for the whole batch.
    /// </summary>
    Task<IReadOnlyList<DeliveryOutcome>> Consume(IReadOnlyList<Delivery> batch);
}
