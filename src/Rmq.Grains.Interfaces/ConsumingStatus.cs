namespace Rmq;

/// <summary>What a queue's consuming engine is doing, from the queue grain's memory (no Redis read).</summary>
/// <param name="State">Where the engine is in its life.</param>
/// <param name="Connection">The rmq connection consuming now, or null.</param>
/// <param name="Stalled">
/// The queue has work (ready, prefetched or waiting deliveries, or Redis failing) but nothing was
/// handed to a consumer or finished for longer than <c>Rmq:StallTimeout</c>.
/// </param>
/// <param name="StalledReason">Why, in words, when <paramref name="Stalled"/>; else null.</param>
/// <param name="LastProgress">When a delivery was last handed out or finished (or the queue last found idle).</param>
/// <param name="LastError">The last fault the engine handled (Redis or consumer), or null.</param>
/// <param name="Prefetched">Deliveries fetched and waiting for a consumer.</param>
/// <param name="InFlight">Deliveries inside consumer calls.</param>
/// <param name="Consumers">Registered consumers.</param>
/// <param name="Paused">
/// The queue is paused (<see cref="IQueueGrain.Pause"/>). Also true while a paused queue is opening,
/// recovering or degraded, when <paramref name="State"/> says that instead of <see cref="ConsumingState.Paused"/>.
/// A paused queue is never reported as stalled.
/// </param>
/// <param name="StaleJobOutcomes">
/// Outcomes of long-running jobs that came after this queue gave their run up (its lease or its maximum run time
/// passed): dropped, never applied, and counted here since the engine started. (Outcomes of a connection that was
/// given up as a whole are dropped with it and not counted here.)
/// </param>
/// <param name="StaleJobRenewals">Lease renewals of runs this queue does not hold, answered and counted the same way.</param>
/// <param name="Jobs">The long-running jobs in flight (<see cref="IQueueGrain.GetJobsInFlight"/>), or null when there are none.</param>
/// <param name="Limits">The queue's flow limits (<see cref="IQueueGrain.SetFlowLimits"/>), or null when it has none.</param>
/// <param name="RateLimited">Deliveries are waiting for the rate limit's window to move on (on purpose: such a queue is not stalled).</param>
[GenerateSerializer, Immutable]
public sealed record ConsumingStatus(
    [property: Id(0)] ConsumingState State,
    [property: Id(1)] string? Connection,
    [property: Id(2)] bool Stalled,
    [property: Id(3)] string? StalledReason,
    [property: Id(4)] DateTimeOffset? LastProgress,
    [property: Id(5)] string? LastError,
    [property: Id(6)] int Prefetched,
    [property: Id(7)] int InFlight,
    [property: Id(8)] int Consumers,
    [property: Id(9)] bool Paused = false,
    [property: Id(10)] long StaleJobOutcomes = 0,
    [property: Id(11)] IReadOnlyList<JobInFlight>? Jobs = null,
    [property: Id(12)] long StaleJobRenewals = 0,
    [property: Id(13)] FlowLimits? Limits = null,
    [property: Id(14)] bool RateLimited = false)
{
    /// <summary>The status of a queue that does not consume.</summary>
    public static readonly ConsumingStatus NotConsuming = new(ConsumingState.NotConsuming, null, false, null, null, null, 0, 0, 0);
}
