using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// A delivery held by the consuming engine: its raw element (what the outcome must remove from unacked)
/// and what consumers see. A class: two fetches of identical payloads are two deliveries.
/// </summary>
/// <param name="raw">The element exactly as it is in the unacked list.</param>
/// <param name="delivery">What the consumer receives.</param>
internal sealed class Prefetched(RedisValue raw, Delivery delivery)
{
    public RedisValue Raw { get; } = raw;
    public Delivery Delivery { get; } = delivery;

    /// <summary>Consumer calls that timed out with this delivery (their outcome is unknown).</summary>
    public int TimedOutAttempts { get; set; }

    /// <summary>Not to be handed out before this time (backoff after a timed-out call).</summary>
    public DateTime NotBefore { get; set; }
}
