namespace Rmq.Tests.Consumers;

/// <summary>How a test consumer answers: with a fixed outcome, by holding until the test finishes it, or by throwing.</summary>
[GenerateSerializer, Immutable]
public sealed record ConsumerBehaviour(
    [property: Id(0)] DeliveryOutcome? AutoOutcome,
    [property: Id(1)] bool Throw = false)
{
    public static readonly ConsumerBehaviour AutoAck = new(DeliveryOutcome.Ack);
    public static readonly ConsumerBehaviour Hold = new((DeliveryOutcome?)null);
    public static readonly ConsumerBehaviour Throwing = new(null, Throw: true);
}
