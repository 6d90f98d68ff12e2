namespace Rmq.Chaos;

/// <summary>One chaos run's settings; every one is a command-line option (see bench/README.md).</summary>
internal sealed record ChaosSettings
{
    /// <summary>One run per seed, one after the other, each on a fresh Redis and cluster.</summary>
    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>How long faults are injected and deliveries published, per seed.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Deliveries published per seed.</summary>
    public required int Messages { get; init; }

    /// <summary>The fault kinds to draw from.</summary>
    public required IReadOnlyList<FaultKind> Faults { get; init; }

    /// <summary>Faults per seed; 0 means every kind once, then one more every ~10 s of the duration.</summary>
    public required int FaultCount { get; init; }

    /// <summary>Silo processes.</summary>
    public int Silos { get; init; } = 3;

    /// <summary>How long the run may take to drain after the last fault before a queue counts as stalled.</summary>
    public required TimeSpan QuiesceTimeout { get; init; }

    /// <summary>Where the report goes; null for the default folder.</summary>
    public string? Output { get; init; }

    /// <summary>True when no option was given: the report is written under bench/results/.</summary>
    public bool IsDefaultRun { get; init; }

    /// <summary>Queues publishers publish to; each pushes to <see cref="PushQueue"/>.</summary>
    public static readonly string[] SourceQueues = ["chaos-a", "chaos-b"];

    /// <summary>The queue pushed deliveries go to; it is consumed too.</summary>
    public const string PushQueue = "chaos-pushed";

    /// <summary>The queue of long-running jobs (10–30 s each), consumed by <see cref="LongConsumers"/> IChaosJobGrains.</summary>
    public const string LongQueue = "chaos-long";

    /// <summary>The share of messages that are long-running jobs: one in 500.</summary>
    public const double LongShare = 0.002;

    /// <summary>Long-running consumers of <see cref="LongQueue"/>.</summary>
    public const int LongConsumers = 6;

    /// <summary>Every queue of the run.</summary>
    public static IEnumerable<string> AllQueues => [.. SourceQueues, PushQueue, LongQueue];

    /// <summary>Consumers per source queue and for the push queue.</summary>
    public const int ConsumersPerQueue = 8;

    /// <summary>Prefetch limit of every queue.</summary>
    public const int PrefetchLimit = 200;
}
