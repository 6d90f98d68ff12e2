using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// A delivery held by the queue grain: its raw element (what the ack must remove) and what consumers
/// see. A class: two fetches of identical payloads are two deliveries.
/// </summary>
internal sealed class Prefetched(RedisValue raw, Delivery delivery)
{
    public RedisValue Raw { get; } = raw;
    public Delivery Delivery { get; } = delivery;
}
