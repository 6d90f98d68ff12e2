namespace Rmq.Bench;

/// <summary>Everything a run is configured with; filled from the command line (see Program.cs and bench/README.md).</summary>
internal sealed record BenchSettings
{
    public const string AllScenarios = "ceiling,publish,e2e,latency,scheduled,idle,memory";

    /// <summary>Scenarios that run only when named in <c>--scenarios</c>: too slow or too big for every run.</summary>
    public const string OptInScenarios = "bigqueue,bigscheduled";

    public required IReadOnlySet<string> Scenarios { get; init; }
    public required int Repetitions { get; init; }
    public required int PayloadBytes { get; init; }
    public required int CeilingOps { get; init; }
    public required int PipelineWindow { get; init; }
    public required int PublishMessages { get; init; }
    public required IReadOnlyList<int> Publishers { get; init; }
    public required IReadOnlyList<int> GrainPublishers { get; init; }
    public required int BatchPublishMessages { get; init; }
    public required IReadOnlyList<int> PublishBatchSizes { get; init; }
    public required int Messages { get; init; }
    public required int E2ePublishBatch { get; init; }
    public required IReadOnlyList<int> E2ePublishers { get; init; }
    public required int E2eSingleMessages { get; init; }
    public required int E2eSingleConsumers { get; init; }
    public required IReadOnlyList<int> Consumers { get; init; }
    public required int BatchConsumers { get; init; }
    public required int BatchSize { get; init; }
    public required int PrefetchLimit { get; init; }
    public required TimeSpan PollInterval { get; init; }
    public required IReadOnlyList<int> LatencyRates { get; init; }
    public required TimeSpan LatencyDuration { get; init; }
    public required int LatencyConsumers { get; init; }
    /// <summary>Idle: how long CPU is read while a consuming queue has nothing to do, per repetition.</summary>
    public required TimeSpan IdleDuration { get; init; }
    public required int MemoryQueues { get; init; }
    public required int MemoryReady { get; init; }
    public required int BigQueueReady { get; init; }

    /// <summary>Scheduled precision: deliveries falling due per second.</summary>
    public required int ScheduledRate { get; init; }

    /// <summary>Scheduled precision: for how long deliveries fall due, per run.</summary>
    public required TimeSpan ScheduledDuration { get; init; }

    /// <summary>Big scheduled (opt-in): deliveries scheduled far in the future on one queue.</summary>
    public required int BigScheduled { get; init; }
    public required TimeSpan RunTimeout { get; init; }

    /// <summary>End to end, one-at-a-time rows: publishers run in a process of their own (both sides).</summary>
    public required bool PublisherProcess { get; init; }

    /// <summary>End to end: record which types each measured run allocates (<see cref="Measurement.AllocationProfile"/>).</summary>
    public required bool AllocationProfile { get; init; }

    /// <summary>End to end: record what the server runs in each measured run, by command (<see cref="Measurement.CommandProfile"/>).</summary>
    public required bool CommandProfile { get; init; }
    public required bool Warmup { get; init; }
    public required string? Output { get; init; }

    /// <summary>
    /// The server every side runs against: <c>redis</c> (redis-server, the default) or <c>garnet</c> (Microsoft
    /// Garnet, the <c>garnet-server</c> dotnet tool, with <c>--lua --lua-transaction-mode</c> as Rmq needs).
    /// </summary>
    public required string Server { get; init; }

    public bool IsGarnet => Server == "garnet";

    /// <summary>
    /// True when every option has its default value (<c>--server</c> aside): only such a run writes the dated
    /// results files, <c>&lt;date&gt;-garnet</c> on Garnet.
    /// </summary>
    public required bool IsDefaultRun { get; init; }

    public bool Runs(string scenario) => Scenarios.Contains(scenario);
}
