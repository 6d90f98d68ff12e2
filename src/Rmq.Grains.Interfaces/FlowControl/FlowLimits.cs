namespace Rmq;

/// <summary>
/// How fast and how wide a queue hands out its deliveries, cluster-wide (<see cref="IQueueGrain.SetFlowLimits"/>): a rate
/// limit and a concurrency limit, each optional. Persisted beside the consuming configuration, so every later activation
/// of the queue, on any silo, keeps them; StopConsuming keeps them too.
/// </summary>
/// <remarks>
/// What waits for a limit waits in the queue's prefetch (its unacked list), not in a consumer. Go rmq consumers of the
/// same queue are not limited: they fetch from ready themselves.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record FlowLimits
{
    /// <summary>The largest <see cref="MaxConcurrency"/>.</summary>
    public const int MaxConcurrencyLimit = 100_000;

    /// <summary>At most this many deliveries handed out per window; null: no rate limit.</summary>
    [Id(0)] public RateLimit? Rate { get; init; }

    /// <summary>At most this many deliveries inside consumer calls at once, across every consumer (a batch counts each of its deliveries); null: only one per consumer, as without limits.</summary>
    [Id(1)] public int? MaxConcurrency { get; init; }

    /// <summary>Neither limit is set.</summary>
    public bool IsEmpty => Rate is null && MaxConcurrency is null;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> saying which limit is out of range and what is allowed.</summary>
    public void Validate()
    {
        Rate?.Validate();
        if (MaxConcurrency is < 1 or > MaxConcurrencyLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency,
                $"A concurrency limit allows 1 to {MaxConcurrencyLimit:N0} deliveries in consumer calls at once; {MaxConcurrency} is out of range.");
    }

    /// <summary>For logs, the CLI and the dashboard: <c>rate 100/s, concurrency 5</c>, or <c>none</c>.</summary>
    public override string ToString() => IsEmpty ? "none"
        : string.Join(", ", new[] { Rate is { } r ? $"rate {r}" : null, MaxConcurrency is { } c ? $"concurrency {c}" : null }.Where(s => s is not null));
}
