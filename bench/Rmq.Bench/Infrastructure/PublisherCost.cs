namespace Rmq.Bench.Infrastructure;

/// <summary>What publishers in a process of their own spent while publishing: CPU time and managed allocation.</summary>
internal readonly record struct PublisherCost(TimeSpan Cpu, long AllocatedBytes)
{
    /// <summary>Publishers in this process: their cost is in the process's own counters already.</summary>
    public static readonly PublisherCost InProcess = new(TimeSpan.Zero, 0);
}
