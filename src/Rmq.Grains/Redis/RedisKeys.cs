using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// Builds every Redis key Rmq uses: Go rmq's layout (RMQ-SEMANTICS §2.1) in either dialect, plus
/// Rmq's own per-queue keys, named in the same style so Go rmq ignores them. Nothing else formats keys.
/// </summary>
public sealed class RedisKeys(KeyDialect dialect)
{
    /// <summary>SET of every registered connection name.</summary>
    public static readonly RedisKey Connections = "rmq::connections";

    /// <summary>SET of every known queue name.</summary>
    public static readonly RedisKey Queues = "rmq::queues";

    /// <summary>Rmq only: HASH connection name → owning silo address, so a dead silo's connections are cleaned at once.</summary>
    public static readonly RedisKey ConnectionSilos = "rmq::rmq-connection-silos";

    /// <summary>Rmq only: SET of queues configured as consuming; the cleaner keeps each one activated.</summary>
    public static readonly RedisKey ConsumingQueues = "rmq::rmq-consuming-queues";

    /// <summary>The dialect these keys are built in.</summary>
    public KeyDialect Dialect { get; } = dialect;

    /// <summary>STRING "1" with a TTL; the connection is dead when its TTL is ≤ 0.</summary>
    public static RedisKey Heartbeat(string connection) => $"rmq::connection::{connection}::heartbeat";

    /// <summary>SET of the queues a connection consumes.</summary>
    public static RedisKey ConnectionQueues(string connection) => $"rmq::connection::{connection}::queues";

    /// <summary>SET of consumer names of one connection on one queue.</summary>
    public RedisKey Consumers(string connection, string queue) => $"rmq::connection::{connection}::queue::{Tag(queue)}::consumers";

    /// <summary>LIST of deliveries one connection fetched and has not finished (left = newest).</summary>
    public RedisKey Unacked(string connection, string queue) => $"rmq::connection::{connection}::queue::{Tag(queue)}::unacked";

    /// <summary>LIST of pending deliveries (left = newest, right = next to consume).</summary>
    public RedisKey Ready(string queue) => $"rmq::queue::{Tag(queue)}::ready";

    /// <summary>LIST of rejected deliveries (left = most recently rejected).</summary>
    public RedisKey Rejected(string queue) => $"rmq::queue::{Tag(queue)}::rejected";

    /// <summary>Rmq only: HASH of the queue's consuming configuration (prefetch, poll, push queue).</summary>
    public RedisKey ConsumingConfig(string queue) => $"rmq::queue::{Tag(queue)}::rmq-consuming";

    /// <summary>Rmq only: HASH consumer name → registered consumer grain, so a re-activation resumes.</summary>
    public RedisKey ConsumerGrains(string queue) => $"rmq::queue::{Tag(queue)}::rmq-consumer-grains";

    private string Tag(string queue) => Dialect == KeyDialect.Cluster ? "{" + queue + "}" : "[" + queue + "]";
}
