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

    /// <summary>
    /// The server's memory from <c>INFO memory</c>: Redis's <c>used_memory</c>; Garnet, which has no such field,
    /// gives its process's resident set (<c>proc_physical_memory_size</c>), so read its growth, not its size.
    /// </summary>
    public static async Task<long> RedisUsedMemoryAsync(IDatabase db)
    {
        var info = (string?)await db.ExecuteAsync("INFO", "memory") ?? "";
        foreach (var field in (string[])["used_memory:", "proc_physical_memory_size:"])
        {
            var line = info.Split('\n').FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            if (line is not null) return long.Parse(line[field.Length..].Trim(), CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
