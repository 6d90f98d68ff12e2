using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// A delivery held by the consuming engine: its raw element (what the outcome must remove from unacked)
/// and what consumers see. A class: two fetches of identical payloads are two deliveries.
/// </summary>
/// <param name="raw">The element exactly as it is in the unacked list.</param>
/// <param name="delivery">What the consumer receives.</param>
/// <param name="generation">The connection run that fetched it; outcomes of an older run are dropped.</param>
internal sealed class Prefetched(RedisValue raw, Delivery delivery, int generation)
{
    public RedisValue Raw { get; } = raw;
    public Delivery Delivery { get; } = delivery;
    public int Generation { get; } = generation;

    /// <summary>Consumer calls that timed out with this delivery (their outcome is unknown).</summary>
    public int TimedOutAttempts { get; set; }

    /// <summary>Not to be handed out before this time (backoff after a timed-out call).</summary>
    public DateTime NotBefore { get; set; }
}
