namespace Rmq;

/// <summary>Where a queue's consuming engine is in its life (<see cref="ConsumingStatus.State"/>).</summary>
[GenerateSerializer]
public enum ConsumingState
{
    /// <summary>The queue is not configured to consume (never started, or stopped).</summary>
    NotConsuming = 0,

    /// <summary>Registering its rmq connection (first start, or after a recovery).</summary>
    Opening = 1,

    /// <summary>Fetching and dispatching.</summary>
    Consuming = 2,

    /// <summary>Consuming, but Redis calls are failing; they are retried with backoff.</summary>
    Degraded = 3,

    /// <summary>
    /// Its connection was lost (cleaned as dead, Redis flushed, heartbeat expired or an internal fault):
    /// returning what it held and opening a new one with the configuration held in memory.
    /// </summary>
    Recovering = 4,

    /// <summary><see cref="IQueueGrain.StopConsuming"/> (or deactivation) is under way.</summary>
    Stopping = 5,

    /// <summary>
    /// <see cref="IQueueGrain.Pause"/> was called: the connection stays registered with its heartbeat and
    /// the consumers stay registered, but nothing is fetched or handed out until <see cref="IQueueGrain.Resume"/>.
    /// Calls in flight when it paused finish and their outcomes are applied.
    /// </summary>
    Paused = 6,
}
