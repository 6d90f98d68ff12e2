using System.Text.Json;
using System.Text.Json.Serialization;
using Rmq.Bench.Measurement;

namespace Rmq.Bench.Reporting;

/// <summary>The results as JSON (snake_case), with <c>e2e_ratio_vs_rmq_baseline</c> at the top level.</summary>
internal static class ResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(BenchResults r) => JsonSerializer.Serialize(new
    {
        E2eRatioVsRmqBaseline = r.E2eRatioVsBaseline,
        r.Machine,
        Settings = new
        {
            r.Settings.Server,
            Scenarios = r.Settings.Scenarios.Order().ToArray(),
            r.Settings.Repetitions,
            r.Settings.PayloadBytes,
            r.Settings.CeilingOps,
            r.Settings.PipelineWindow,
            r.Settings.PublishMessages,
            r.Settings.Publishers,
            r.Settings.BatchPublishMessages,
            r.Settings.PublishBatchSizes,
            r.Settings.Messages,
            r.Settings.E2ePublishBatch,
            r.Settings.E2ePublishers,
            r.Settings.E2eSingleMessages,
            r.Settings.E2eSingleConsumers,
            r.Settings.GrainPublishers,
            r.Settings.Consumers,
            r.Settings.BatchConsumers,
            r.Settings.BatchSize,
            BatchTimeoutMs = Scenarios.EndToEndScenario.BatchTimeout.TotalMilliseconds,
            r.Settings.PrefetchLimit,
            PollIntervalMs = r.Settings.PollInterval.TotalMilliseconds,
            r.Settings.LatencyRates,
            LatencySeconds = r.Settings.LatencyDuration.TotalSeconds,
            r.Settings.LatencyConsumers,
            r.Settings.MemoryQueues,
            r.Settings.MemoryReady,
            r.Settings.ScheduledRate,
            ScheduledSeconds = r.Settings.ScheduledDuration.TotalSeconds,
            ScheduledLeadMs = Scenarios.ScheduledScenario.Lead.TotalMilliseconds,
        },
        Figures = r.Figures.Select(f => new
        {
            f.Id,
            f.Group,
            f.Label,
            f.Unit,
            f.HigherIsBetter,
            Rmq = StatsJson(f.Rmq),
            Baseline = StatsJson(f.Baseline),
            Ceiling = StatsJson(f.Ceiling),
            f.CeilingOp,
            f.RatioVsBaseline,
            f.RatioVsCeiling,
            CostPerMessage = f.Cpu.Count == 0 ? null : new
            {
                Rmq = f.CpuMedian(Measurement.Side.Rmq),
                Baseline = f.CpuMedian(Measurement.Side.Baseline),
            },
        }),
        Memory = r.Memory is { } m ? new
        {
            m.Queues,
            m.ReadyPerQueue,
            m.PrefetchLimit,
            m.HeldDeliveries,
            HeapBytesBefore = m.HeapBefore,
            HeapBytesWithQueues = m.HeapWithQueues,
            HeapBytesWithDeliveries = m.HeapWithDeliveries,
            WorkingSetBytesBefore = m.WorkingSetBefore,
            WorkingSetBytesWithQueues = m.WorkingSetWithQueues,
            WorkingSetBytesWithDeliveries = m.WorkingSetWithDeliveries,
            HeapBytesPerQueue = m.HeapPerQueue,
            HeapBytesPerHeldDelivery = m.HeapPerHeldDelivery,
            RedisUsedMemoryBytes = m.RedisUsedMemory,
            m.SetupSeconds,
        } : null,
        // Opt-in: null unless the run named the bigqueue scenario.
        r.BigQueue,
        r.BigScheduled,
        Goals = r.Goals,
        r.TotalSeconds,
    }, Options);

    private static object? StatsJson(Stats? s) => s is null ? null : new { s.Median, s.Min, s.Max, s.Samples };
}
