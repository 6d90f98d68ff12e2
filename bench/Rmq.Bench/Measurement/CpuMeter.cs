using System.Diagnostics;

namespace Rmq.Bench.Measurement;

/// <summary>CPU time spent per message (published or delivered), in microseconds: this process (silo, client, harness) and the server.</summary>
internal sealed record CpuCost(double ProcessUs, double RedisUs);

/// <summary>
/// Reads the CPU time used so far by this process and by the server under test (its process, by id: the same
/// figure as Redis's <c>INFO cpu</c>, and one Garnet, which has no such section, gives too). CPU time per
/// delivery moves much less with the machine's load than throughput does: it says where a run's
/// work went, and so what limits it.
/// </summary>
internal sealed class CpuMeter(int serverProcessId)
{
    public Task<(TimeSpan Process, double RedisSeconds)> ReadAsync()
    {
        using var self = Process.GetCurrentProcess();
        using var server = Process.GetProcessById(serverProcessId);
        return Task.FromResult((self.TotalProcessorTime, server.TotalProcessorTime.TotalSeconds));
    }

    public static CpuCost PerDelivery((TimeSpan Process, double RedisSeconds) before, (TimeSpan Process, double RedisSeconds) after, int deliveries) =>
        new((after.Process - before.Process).TotalMicroseconds / deliveries, (after.RedisSeconds - before.RedisSeconds) * 1e6 / deliveries);
}
