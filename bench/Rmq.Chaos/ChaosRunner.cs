using System.Text;

namespace Rmq.Chaos;

/// <summary>Runs every seed, prints each report, writes them all to one file, and says whether all passed.</summary>
internal sealed class ChaosRunner(ChaosSettings settings)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var stamp = DateTime.UtcNow;
        var folder = settings.Output ?? Path.Combine(RepoPaths.Root, "bench", "results", settings.IsDefaultRun ? "" : "tmp");
        var logs = Path.Combine(RepoPaths.Root, "bench", "results", "tmp", $"chaos-{stamp:yyyyMMdd-HHmmss}");
        var all = new StringBuilder();
        all.AppendLine($"# Rmq chaos run, {stamp:yyyy-MM-dd HH:mm} UTC");
        all.AppendLine($"commit: {Commit()}");
        all.AppendLine($"machine: {Environment.ProcessorCount} cores; {RedisVersion()}; seeds {string.Join(",", settings.Seeds)}; " +
            $"{settings.Duration.TotalSeconds:F0} s and {settings.Messages} messages per seed");
        all.AppendLine($"replay: dotnet run -c Release --project bench/Rmq.Chaos -- --seeds {string.Join(" ", settings.Seeds)} --duration {settings.Duration.TotalSeconds:F0} " +
            $"--messages {settings.Messages} --faults {string.Join(",", settings.Faults.Select(f => f.Name()))}{(settings.FaultCount > 0 ? $" --fault-count {settings.FaultCount}" : "")}");
        all.AppendLine();
        var reports = new List<ChaosReport>();
        foreach (var seed in settings.Seeds)
        {
            var report = await new ChaosRun(settings, seed, Path.Combine(logs, $"seed-{seed}")).RunAsync(cancellationToken);
            var text = report.Render();
            Console.WriteLine();
            Console.WriteLine(text);
            all.AppendLine("## " + text);
            reports.Add(report);
        }
        var passed = reports.All(r => r.Passed);
        var summary = ChaosSummary.Render(reports);
        Console.WriteLine(summary);
        all.AppendLine(summary);
        all.AppendLine(passed ? "all seeds: PASS (nothing lost, every queue drained)" : "all seeds: FAIL");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, settings.IsDefaultRun ? $"chaos-{stamp:yyyy-MM-dd}.txt" : $"chaos-{stamp:yyyyMMdd-HHmmss}.txt");
        await File.WriteAllTextAsync(file, all.ToString(), cancellationToken);
        Console.WriteLine($"report: {file}; silo and publisher logs: {logs}");
        return passed ? 0 : 1;
    }

    private static string RedisVersion() => Run("redis-server", "--version") is { } line ? string.Join(' ', line.Split(' ').Take(3)) : "redis-server not found";

    private static string Commit() => Run("git", $"-C {RepoPaths.Root} rev-parse --short HEAD") ?? "unknown (not a git checkout)";

    private static string? Run(string file, string arguments)
    {
        try
        {
            using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var line = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && line.Length > 0 ? line : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
