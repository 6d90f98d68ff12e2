using System.Diagnostics;

namespace Rmq.Bench.Measurement;

/// <summary>
/// What a run cost per message (published or delivered): CPU time in microseconds of this process (silo, client,
/// harness) and of the server, and the bytes this process allocated on the managed heap.
/// </summary>
internal sealed record CpuCost(double ProcessUs, double RedisUs, double AllocatedBytes);

/// <summary>The counters <see cref="CpuMeter"/> reads at one moment.</summary>
internal readonly record struct CpuReading(TimeSpan Process, double RedisSeconds, long AllocatedBytes);

/// <summary>
/// Reads the CPU time used so far by this process and by the server under test (its process, by id: the same
/// figure as Redis's <c>INFO cpu</c>, and one Garnet, which has no such section, gives too), and the bytes
/// allocated so far by every thread of this process (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, precise).
/// CPU time and allocation per delivery move much less with the machine's load than throughput does: they say
/// where a run's work went, and so what limits it.
/// </summary>
internal sealed class CpuMeter(int serverProcessId)
{
    public Task<CpuReading> ReadAsync()
    {
        using var self = Process.GetCurrentProcess();
        using var server = Process.GetProcessById(serverProcessId);
        return Task.FromResult(new CpuReading(self.TotalProcessorTime, server.TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true)));
    }

    public static CpuCost PerDelivery(CpuReading before, CpuReading after, int deliveries) =>
        new((after.Process - before.Process).TotalMicroseconds / deliveries, (after.RedisSeconds - before.RedisSeconds) * 1e6 / deliveries,
            (after.AllocatedBytes - before.AllocatedBytes) / (double)deliveries);
}
