namespace Rmq;

/// <summary>
/// Every queue and connection in the Redis database, as Go rmq's <c>CollectStats</c> sees them: the
/// queues listed in <c>rmq::queues</c>, and each registered connection either under the queues it
/// consumes or among <see cref="OtherConnections"/>. A snapshot of separate reads, not atomic.
/// </summary>
/// <param name="Queues">The listed queues, sorted by name.</param>
/// <param name="OtherConnections">Registered connections that consume no queue (producers, cleaners, stats readers), sorted by name.</param>
/// <param name="Server">
/// The server behind the silo's Redis setting, from its start-up check, e.g. <c>Redis 7.0.15 at 127.0.0.1:6379</c>
/// or <c>Garnet 2.2.12 at 127.0.0.1:6600 (no script flags: …)</c>; null when it could not be asked.
/// </param>
[GenerateSerializer, Immutable]
public sealed record StatsOverview(
    [property: Id(0)] IReadOnlyList<QueueOverview> Queues,
    [property: Id(1)] IReadOnlyList<ConnectionOverview> OtherConnections,
    [property: Id(2)] string? Server = null);

/// <summary>One queue's counts and the connections consuming it.</summary>
/// <param name="Name">The queue name.</param>
/// <param name="ReadyCount"><c>LLEN ready</c>.</param>
/// <param name="RejectedCount"><c>LLEN rejected</c>.</param>
/// <param name="Connections">Registered connections whose queues set names this queue, sorted by name (Go rmq's included).</param>
/// <param name="ScheduledCount">Rmq only: delayed and scheduled deliveries not yet due (<c>ZCARD rmq-scheduled</c>).</param>
/// <param name="RetriedCount">Rmq only: deliveries the retry policy scheduled again, ever (<c>rmq-counters</c>).</param>
/// <param name="DeadLetteredCount">Rmq only: deliveries Rmq moved to rejected by itself, ever (<c>rmq-counters</c>).</param>
/// <param name="RecurringCount">Rmq only: recurring jobs of the queue (<c>HLEN rmq-recurring</c>).</param>
/// <param name="Consuming">
/// What the queue's consuming engine is doing (state, stalled or not), asked of its queue grain when the
/// queue is configured as consuming; null when it is not, or when its grain did not answer in time.
/// </param>
[GenerateSerializer, Immutable]
public sealed record QueueOverview(
    [property: Id(0)] string Name,
    [property: Id(1)] long ReadyCount,
    [property: Id(2)] long RejectedCount,
    [property: Id(3)] IReadOnlyList<QueueConnectionOverview> Connections,
    [property: Id(4)] ConsumingStatus? Consuming = null,
    [property: Id(5)] long ScheduledCount = 0,
    [property: Id(6)] long RetriedCount = 0,
    [property: Id(7)] long DeadLetteredCount = 0,
    [property: Id(8)] long RecurringCount = 0)
{
    /// <summary>Sum of the connections' unacked counts.</summary>
    public long UnackedCount => Connections.Sum(c => c.UnackedCount);

    /// <summary>Sum of the connections' consumer counts.</summary>
    public long ConsumerCount => Connections.Sum(c => c.ConsumerCount);
}

/// <summary>One connection consuming one queue.</summary>
/// <param name="Name">The rmq connection name.</param>
/// <param name="Active">Whether its heartbeat key has a TTL above zero (Go rmq's rule).</param>
/// <param name="UnackedCount"><c>LLEN</c> of its unacked list for the queue.</param>
/// <param name="ConsumerCount"><c>SCARD</c> of its consumers set for the queue.</param>
[GenerateSerializer, Immutable]
public sealed record QueueConnectionOverview(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Active,
    [property: Id(2)] long UnackedCount,
    [property: Id(3)] long ConsumerCount);

/// <summary>A registered connection that consumes no queue.</summary>
/// <param name="Name">The rmq connection name.</param>
/// <param name="Active">Whether its heartbeat key has a TTL above zero.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionOverview(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Active);
