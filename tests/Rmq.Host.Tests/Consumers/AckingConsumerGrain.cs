using System.Collections.Concurrent;

namespace Rmq.Host.Tests.Consumers;

/// <summary>A consumer that acks every delivery and remembers, by its key, the payloads it got.</summary>
public interface IAckingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

public sealed class AckingConsumerGrain : Grain, IAckingConsumerGrain
{
    // The silos of these tests run in the test process, so a static is what the test reads.
    public static readonly ConcurrentDictionary<string, ConcurrentBag<string>> Consumed = new();

    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        Consumed.GetOrAdd(this.GetPrimaryKeyString(), _ => []).Add(delivery.Payload);
        return Task.FromResult(DeliveryOutcome.Ack);
    }
}
