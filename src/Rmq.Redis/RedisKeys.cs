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

    /// <summary>
    /// Rmq only: SET of every queue that has had a delayed or scheduled delivery; the cleaner moves due
    /// ones of each on its pass, and keeps their queue grains (the per-queue schedulers) activated.
    /// Written before the schedule itself and never removed, so a scheduled delivery is never in a queue missing here.
    /// </summary>
    public static readonly RedisKey ScheduledQueues = "rmq::rmq-scheduled-queues";

    /// <summary>
    /// Rmq only: SET of every queue that has had a recurring job; the cleaner's pass schedules their next
    /// occurrences and keeps their queue grains activated. Written before the job itself and never pruned,
    /// as <see cref="ScheduledQueues"/>.
    /// </summary>
    public static readonly RedisKey RecurringQueues = "rmq::rmq-recurring-queues";

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

    /// <summary>
    /// Rmq only: STRING, the number of the last outcome batch one connection applied to the queue, so a
    /// batch retried after a lost reply is applied once. In the queue's hash slot; expires by itself.
    /// </summary>
    public RedisKey AppliedBatch(string connection, string queue) => $"rmq::connection::{connection}::queue::{Tag(queue)}::rmq-applied";

    /// <summary>
    /// Rmq only: STRING, the number of the last batch of pushes one connection added to this (push
    /// target) queue, so a cross-slot push retried after a lost reply is added once. In the target's hash slot.
    /// </summary>
    public RedisKey PushedBatch(string targetQueue, string connection) => $"rmq::queue::{Tag(targetQueue)}::rmq-pushed::{connection}";

    /// <summary>The glob that matches every connection's unacked list of every queue (for the orphan sweep).</summary>
    public const string AnyUnackedPattern = "rmq::connection::*::queue::*::unacked";

    /// <summary>
    /// Splits an unacked list's key into its connection and queue, or returns false for a key of
    /// another shape or dialect. Queue names hold no brackets or braces, so the last opening one starts the tag.
    /// </summary>
    public bool TryParseUnacked(string key, out string connection, out string queue)
    {
        connection = queue = "";
        const string head = "rmq::connection::", tail = "::unacked";
        var (open, close) = Dialect == KeyDialect.Cluster ? ('{', '}') : ('[', ']');
        if (!key.StartsWith(head, StringComparison.Ordinal) || !key.EndsWith(close + tail, StringComparison.Ordinal)) return false;
        var start = key.LastIndexOf(open);
        const string middle = "::queue::";
        if (start < head.Length + middle.Length || string.CompareOrdinal(key, start - middle.Length, middle, 0, middle.Length) != 0) return false;
        connection = key[head.Length..(start - middle.Length)];
        queue = key[(start + 1)..^(tail.Length + 1)];
        return connection.Length > 0 && queue.Length > 0;
    }

    /// <summary>
    /// Rmq only: the pub/sub channel on which publishers that bypass the queue grain wake its consuming
    /// engine, so it fetches at once instead of at its next poll. Sharded (SPUBLISH) in the cluster
    /// dialect, so the message goes to the node holding the queue's lists, after the LPUSH it follows.
    /// </summary>
    public RedisChannel Wake(string queue) => Dialect == KeyDialect.Cluster
        ? RedisChannel.Sharded($"rmq::queue::{Tag(queue)}::rmq-wake")
        : RedisChannel.Literal($"rmq::queue::{Tag(queue)}::rmq-wake");

    /// <summary>Rmq only: HASH of the queue's consuming configuration (prefetch, poll, push queue).</summary>
    public RedisKey ConsumingConfig(string queue) => $"rmq::queue::{Tag(queue)}::rmq-consuming";

    /// <summary>
    /// Rmq only: LIST of the dead letters the queue's dead-letter handler has not yet been called for (the element as it
    /// went to rejected), newest left. Written by the script that moves them to rejected, in the queue's hash slot.
    /// </summary>
    public RedisKey DeadLetterNotices(string queue) => $"rmq::queue::{Tag(queue)}::rmq-dead-letter-notices";

    /// <summary>Rmq only: HASH consumer name → registered consumer grain, so a re-activation resumes.</summary>
    public RedisKey ConsumerGrains(string queue) => $"rmq::queue::{Tag(queue)}::rmq-consumer-grains";

    /// <summary>
    /// Rmq only: STRING "1" with a TTL of the publish's window, set by a deduplicated publish (<c>RmqMessage.Unique</c>): while it
    /// exists, another unique publish with the same key to this queue publishes nothing. In the queue's
    /// hash slot in the cluster dialect (the first <c>{…}</c> of a key is its hash tag, so braces in the
    /// dedup key do not move it), so the script that sets it and pushes to ready is legal on Redis Cluster.
    /// </summary>
    public RedisKey Dedup(string queue, string dedupKey) => $"rmq::queue::{Tag(queue)}::rmq-dedup::{dedupKey}";

    /// <summary>
    /// Rmq only: ZSET of the queue's delayed and scheduled deliveries: member = the id that
    /// a scheduled publish returned (<c>PublishResult.ScheduledId</c>), score = due time in unix milliseconds. In the queue's
    /// hash slot, so the script that moves due ones to ready is legal on Redis Cluster.
    /// </summary>
    public RedisKey Scheduled(string queue) => $"rmq::queue::{Tag(queue)}::rmq-scheduled";

    /// <summary>
    /// Rmq only: HASH id → the element (payload, or rmq header + payload, exactly as a publish writes it)
    /// of each delivery in <see cref="Scheduled"/>. Separate from the ZSET so identical payloads can be
    /// scheduled several times and members stay short. In the queue's hash slot.
    /// </summary>
    public RedisKey ScheduledElements(string queue) => $"rmq::queue::{Tag(queue)}::rmq-scheduled-elements";

    /// <summary>
    /// Rmq only: a HASH of the queue's lifetime counters — <c>retried</c> (deliveries the retry policy
    /// scheduled again) and <c>dead-lettered</c> (deliveries Rmq moved to rejected by itself) — counted by
    /// the script that applies the outcomes, so every silo adds to the same numbers. In the queue's hash slot.
    /// </summary>
    public RedisKey Counters(string queue) => $"rmq::queue::{Tag(queue)}::rmq-counters";

    /// <summary>
    /// Rmq only: HASH job name → the recurring job's definition (JSON: schedule, time zone, missed policy,
    /// interval anchor, headers, generation). In the queue's hash slot.
    /// </summary>
    public RedisKey Recurring(string queue) => $"rmq::queue::{Tag(queue)}::rmq-recurring";

    /// <summary>Rmq only: HASH job name → the recurring job's payload bytes, copied (behind its rmq header) into <see cref="ScheduledElements"/> for each occurrence. In the queue's hash slot.</summary>
    public RedisKey RecurringElements(string queue) => $"rmq::queue::{Tag(queue)}::rmq-recurring-elements";

    /// <summary>
    /// Rmq only: HASH job name → <c>generation|pending|last|resume</c>: the occurrence waiting in
    /// <see cref="Scheduled"/> (unix ms, 0 for none), the last one seen published, and after a missed
    /// occurrence the time the next one is counted from. Every change of it is a compare-and-set. In the queue's hash slot.
    /// </summary>
    public RedisKey RecurringState(string queue) => $"rmq::queue::{Tag(queue)}::rmq-recurring-state";

    private string Tag(string queue) => Dialect == KeyDialect.Cluster ? "{" + queue + "}" : "[" + queue + "]";
}
