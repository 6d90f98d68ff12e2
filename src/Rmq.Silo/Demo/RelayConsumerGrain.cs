using Orleans.Runtime;
using Rmq.Demo;

namespace Rmq.Silo.Demo;

internal sealed class RelayConsumerGrain(ILocalSiloDetails silo) : Grain, IRelayConsumerGrain
{
    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        this.GetPrimaryKeyLong(out var target);
        var headers = new Dictionary<string, string[]>(delivery.Headers)
        {
            [IRelayConsumerGrain.RelayedByHeader] = [silo.Name],
        };
        // Copy first, ack after: if this silo dies in between, the delivery is redelivered and the
        // target gets a second copy — at-least-once, never lost.
        await GrainFactory.GetGrain<IQueueGrain>(target!).PublishWithHeaders(delivery.Payload, headers);
        return DeliveryOutcome.Ack;
    }
}
