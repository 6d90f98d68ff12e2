using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Bench.Measurement;

/// <summary>CPU time spent per message (published or delivered), in microseconds: this process (silo, client, harness) and redis-server.</summary>
internal sealed record CpuCost(double ProcessUs, double RedisUs);

/// <summary>
/// Reads the CPU time used so far by this process and by redis-server (<c>INFO cpu</c>). CPU time per
/// delivery moves much less with the machine's load than throughput does: it says where a run's
/// work went, and so what limits it.
/// </summary>
internal sealed class CpuMeter(IDatabase db)
{
    public async Task<(TimeSpan Process, double RedisSeconds)> ReadAsync()
    {
        using var self = Process.GetCurrentProcess();
        var info = (string?)await db.ExecuteAsync("INFO", "cpu") ?? "";
        double redis = 0;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("used_cpu_user:", StringComparison.Ordinal) || line.StartsWith("used_cpu_sys:", StringComparison.Ordinal))
                redis += double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
        }
        return (self.TotalProcessorTime, redis);
    }

    public static CpuCost PerDelivery((TimeSpan Process, double RedisSeconds) before, (TimeSpan Process, double RedisSeconds) after, int deliveries) =>
        new((after.Process - before.Process).TotalMicroseconds / deliveries, (after.RedisSeconds - before.RedisSeconds) * 1e6 / deliveries);
}
