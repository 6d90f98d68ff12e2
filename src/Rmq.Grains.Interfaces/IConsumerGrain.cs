namespace Rmq;

/// <summary>
/// Implemented by user grains that consume one delivery at a time. The returned outcome decides
/// the delivery's fate; an exception counts as <see cref="DeliveryOutcome.Push"/>.
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
