namespace Rmq;

/// <summary>
/// A long-running consumer's own lease and maximum run time (<see cref="IQueueGrain.AddLongRunningConsumer"/>); each
/// one left null is the silo's (<c>Rmq:JobLease</c>, 30 s; <c>Rmq:JobMaxRunTime</c>, 2 h). Persisted with the
/// registration, so every later activation of the queue holds its jobs the same way.
/// </summary>
/// <param name="Lease">How long a run is held without a renewal: at least <c>Rmq:HeartbeatInterval</c> (1 s).</param>
/// <param name="MaxRunTime">How long a run may take: longer than the lease, at most one day.</param>
[GenerateSerializer, Immutable]
public sealed record JobLimits([property: Id(0)] TimeSpan? Lease = null, [property: Id(1)] TimeSpan? MaxRunTime = null)
{
    /// <summary>
    /// The limits that can be checked without a silo's settings: each one given is positive, and the maximum run time
    /// longer than the lease when both are given. The queue checks the rest (against <c>Rmq:HeartbeatInterval</c> and
    /// <c>Rmq:JobMaxRunTime</c>) when the consumer registers. Throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public void EnsureValid()
    {
        if (Lease <= TimeSpan.Zero || MaxRunTime <= TimeSpan.Zero || MaxRunTime <= Lease)
            throw new ArgumentOutOfRangeException("limits", this,
                $"A job lease ({Lease?.ToString() ?? "the silo's"}) and maximum run time ({MaxRunTime?.ToString() ?? "the silo's"}) must be positive, and the maximum run time must be longer than the lease.");
    }
}
