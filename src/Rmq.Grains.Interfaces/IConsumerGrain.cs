namespace Rmq;

/// <summary>
/// Implemented by user grains that consume one delivery at a time. The returned outcome decides
/// the delivery's fate. An exception is a failed attempt: with a retry policy on the queue
/// (<see cref="IQueueGrain.SetRetryPolicy"/>) as <see cref="DeliveryOutcome.Retry"/>, retried after the
/// policy's backoff or dead-lettered after its last attempt; without one, as <see cref="DeliveryOutcome.Push"/>
/// (<see cref="DeliveryOutcome.Reject"/> when the queue has no push queue). Either way the consumer then gets
/// nothing for a backoff (<c>ConsumerFailureBackoff</c>, doubled per failure in a row).
/// </summary>
/// <remarks>
/// Several grain classes may implement this interface: address them through their own
/// sub-interface and pass the reference to <see cref="IQueueGrain.AddConsumer"/>.
/// </remarks>
public interface IConsumerGrain : IGrain
{
    /// <summary>Processes one delivery and says what becomes of it.</summary>
    Task<DeliveryOutcome> Consume(Delivery delivery);
}
