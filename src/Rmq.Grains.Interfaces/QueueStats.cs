namespace Rmq;

/// <summary>A queue's counts, as Go rmq's stats compute them (a snapshot; not atomic).</summary>
/// <param name="ReadyCount"><c>LLEN ready</c>.</param>
/// <param name="RejectedCount"><c>LLEN rejected</c>.</param>
/// <param name="UnackedCount">Sum of <c>LLEN unacked</c> over every connection consuming the queue.</param>
/// <param name="ConsumerCount">Sum of the consumers-set sizes over those connections.</param>
/// <param name="ConnectionCount">How many registered connections consume the queue.</param>
/// <param name="ScheduledCount">Rmq only: delayed and scheduled deliveries not yet due (<c>ZCARD rmq-scheduled</c>).</param>
/// <param name="RetriedCount">Rmq only: deliveries scheduled again by the retry policy, ever (until Destroy).</param>
/// <param name="DeadLetteredCount">Rmq only: deliveries Rmq moved to rejected by itself (retries exhausted, consumer timeouts), ever (until Destroy).</param>
/// <param name="RecurringCount">Rmq only: recurring jobs of the queue (<c>HLEN rmq-recurring</c>); their pending occurrences count in <paramref name="ScheduledCount"/>.</param>
/// <param name="Consuming">What this queue's consuming engine is doing (state, stalled or not), from the queue grain.</param>
[GenerateSerializer, Immutable]
public sealed record QueueStats(
    [property: Id(0)] long ReadyCount,
    [property: Id(1)] long RejectedCount,
    [property: Id(2)] long UnackedCount,
    [property: Id(3)] long ConsumerCount,
    [property: Id(4)] long ConnectionCount,
    [property: Id(5)] ConsumingStatus? Consuming = null,
    [property: Id(6)] long ScheduledCount = 0,
    [property: Id(7)] long RetriedCount = 0,
    [property: Id(8)] long DeadLetteredCount = 0,
    [property: Id(9)] long RecurringCount = 0);
