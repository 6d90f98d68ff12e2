using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Bench.Measurement;

/// <summary>Memory of this process (after full compacting collections) and of redis-server.</summary>
internal static class MemoryMeter
{
    /// <summary>Managed heap after two full compacting collections, and the process working set.</summary>
    public static (long Heap, long WorkingSet) Measure()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
    }

    /// <summary>redis-server's <c>used_memory</c> (<c>INFO memory</c>).</summary>
    public static async Task<long> RedisUsedMemoryAsync(IDatabase db)
    {
        var info = (string?)await db.ExecuteAsync("INFO", "memory") ?? "";
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line["used_memory:".Length..].Trim(), CultureInfo.InvariantCulture);
    }
}
