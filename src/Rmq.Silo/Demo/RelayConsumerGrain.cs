using Orleans.Placement;
using Orleans.Runtime;
using Rmq.Demo;

namespace Rmq.Silo.Demo;

// Random placement spreads a queue's relay consumers over the cluster; Orleans' default prefers the
// caller's silo, which would put every consumer next to the queue grain.
[RandomPlacement]
internal sealed class RelayConsumerGrain(ILocalSiloDetails silo) : Grain, IRelayConsumerGrain
{
    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        this.GetPrimaryKeyLong(out var target);
        var copy = RmqMessage.Bytes(delivery.PayloadBytes).WithHeaders(delivery.Headers).WithHeader(IRelayConsumerGrain.RelayedByHeader, silo.Name);
        // Copy first, ack after: if this silo dies in between, the delivery is redelivered and the
        // target gets a second copy — at-least-once, never lost.
        await GrainFactory.GetGrain<IQueueGrain>(target!).Publish(copy);
        return DeliveryOutcome.Ack;
    }
}
