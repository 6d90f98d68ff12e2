using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Rmq.Bench.Reporting;

/// <summary>The machine a run was taken on, as the results files describe it.</summary>
internal sealed record MachineInfo(
    string Date,
    int Nproc,
    string CpuModel,
    long MemoryBytes,
    string RedisServerVersion,
    string DotnetSdkVersion,
    string Runtime,
    string Os,
    bool ServerGc,
    string LoadAverageAtStart)
{
    /// <summary>The server the run measured, from its <c>INFO server</c> (e.g. "Redis 7.0.15", "Garnet 2.2.12").</summary>
    public string ServerUnderTest { get; init; } = "not started";

    public static async Task<MachineInfo> CollectAsync() => new(
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        Environment.ProcessorCount,
        ProcField("/proc/cpuinfo", "model name") ?? "unknown",
        MemTotalBytes(),
        await CommandAsync("redis-server", "--version"),
        await CommandAsync("dotnet", "--version"),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        System.Runtime.GCSettings.IsServerGC,
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown");

    public IEnumerable<(string Name, string Value)> Lines() =>
    [
        ("date", Date),
        ("nproc", Nproc.ToString(CultureInfo.InvariantCulture)),
        ("cpu", CpuModel),
        ("memory", $"{MemoryBytes / 1073741824.0:0.0} GiB"),
        ("server under test", ServerUnderTest),
        ("redis-server --version", RedisServerVersion),
        ("dotnet --version", DotnetSdkVersion),
        ("runtime", Runtime),
        ("os", Os),
        ("gc", ServerGc ? "server" : "workstation"),
        ("load average at start", LoadAverageAtStart),
    ];

    private static string? ProcField(string path, string field)
    {
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }

    private static long MemTotalBytes()
    {
        var value = ProcField("/proc/meminfo", "MemTotal");
        return value is not null && long.TryParse(value.Split(' ')[0], CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : 0;
    }

    private static async Task<string> CommandAsync(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }
}
