namespace Rmq.Demo;

/// <summary>
/// A consumer, hosted by every Rmq silo, that copies each delivery to another queue and then acks
/// it: <c>GetGrain&lt;IRelayConsumerGrain&gt;(n, "target-queue")</c> relays to <c>target-queue</c>
/// (register several with different <c>n</c> for parallelism; they are placed at random over the
/// cluster's silos). The copy keeps the payload and headers
/// and adds the header <see cref="RelayedByHeader"/> with the silo's name, so the target queue is a
/// record of what was consumed where: a delivery consumed twice (at-least-once) appears twice.
/// </summary>
public interface IRelayConsumerGrain : IConsumerGrain, IGrainWithIntegerCompoundKey
{
    /// <summary>The header naming the silo that relayed the delivery.</summary>
    public const string RelayedByHeader = "rmq-relayed-by";
}
