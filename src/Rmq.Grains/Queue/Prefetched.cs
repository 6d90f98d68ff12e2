using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>A delivery held by the queue grain: its raw element (for the ack) and what consumers see.</summary>
internal sealed record Prefetched(RedisValue Raw, Delivery Delivery);
