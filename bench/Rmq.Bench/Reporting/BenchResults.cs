using Rmq.Bench.Measurement;
using Rmq.Bench.Scenarios;

namespace Rmq.Bench.Reporting;

/// <summary>Everything one run produced, as printed and written.</summary>
internal sealed record BenchResults(
    MachineInfo Machine,
    BenchSettings Settings,
    IReadOnlyList<Figure> Figures,
    MemoryReport? Memory,
    IReadOnlyList<Goal> Goals,
    double TotalSeconds,
    BigQueueReport? BigQueue = null,
    BigScheduledReport? BigScheduled = null)
{
    /// <summary>Rmq / baseline for the 10-consumer end-to-end figure, the run's headline number.</summary>
    /// <summary>The headline: 10 consumers, 10 publishers publishing one message per call (what producers do).</summary>
    public double? E2eRatioVsBaseline => Figures.FirstOrDefault(f => f.Id == "e2e.single.10")?.RatioVsBaseline;
}
