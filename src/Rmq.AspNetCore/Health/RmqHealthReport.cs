namespace Rmq.AspNetCore.Health;

/// <summary>
/// What <see cref="RmqHealthCheck"/> found: healthy when Redis answers and this silo is active in the cluster;
/// degraded when besides a queue consuming on this silo is stalled (restarting the silo would not help the queue).
/// </summary>
/// <param name="Status"><c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>.</param>
/// <param name="Redis"><c>ok</c>, or why Redis did not answer.</param>
/// <param name="Silo">This silo's membership status (<c>Active</c> when serving).</param>
/// <param name="SiloAddress">This silo's address.</param>
/// <param name="ActiveSilos">How many silos this silo sees as active in the cluster (itself included).</param>
/// <param name="StalledQueues">Queues consuming on this silo that have work but made no progress for Rmq:StallTimeout.</param>
public sealed record RmqHealthReport(string Status, string Redis, string Silo, string SiloAddress, int ActiveSilos, IReadOnlyList<StalledQueue> StalledQueues)
{
    /// <summary>Redis answers and this silo is active (the status is <c>healthy</c> or <c>degraded</c>).</summary>
    public bool IsServing => Status != "unhealthy";
}

/// <summary>A stalled queue in <see cref="RmqHealthReport"/>.</summary>
/// <param name="Queue">The queue name.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="State">Its engine's state.</param>
public sealed record StalledQueue(string Queue, string Reason, string State);
