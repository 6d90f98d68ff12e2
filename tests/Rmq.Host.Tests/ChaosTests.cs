using System.Text.RegularExpressions;

namespace Rmq.Host.Tests;

/// <summary>
/// The chaos program (bench/Rmq.Chaos) run as a user would: three real silo processes, a redis-server
/// with AOF, an external publisher process, and every fault kind once from a fixed seed. It exits 0 only
/// when nothing published was lost and every queue drained; the second test shows that its count does
/// notice a loss, so the first cannot pass by counting wrong.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ShortRun_EveryFaultKindOnce_LosesNothing_AndEveryQueueDrains()
    {
        var (exitCode, report) = await RunAsync("--seeds", "7", "--duration", "60", "--messages", "8000");

        Assert.True(exitCode == 0, $"chaos run failed (exit {exitCode}):\n{report}");
        foreach (var kind in new[] { "silo-kill", "silo-stop", "redis-restart", "redis-kill", "client-kill", "redis-sleep", "client-pause", "server-error", "poison" })
            Assert.Matches(new Regex($@"^\s+[\d.]+ s  {kind} ", RegexOptions.Multiline), report);
        Assert.Equal(0, Figure(report, "**lost**"));
        Assert.True(Figure(report, "published (acknowledged)") >= 7000, "most of the 8000 publishes were acknowledged");
        Assert.Equal(0, Figure(report, "ready at the end"));
        Assert.Equal(0, Figure(report, "unacked at the end"));
        Assert.Equal(0, Figure(report, "misplaced"));
        Assert.Equal(0, Figure(report, "foreign elements"));
        Assert.Matches(@"\| poison elements pushed / found in rejected \| (\d+) / \1 \|", report);
        Assert.Contains("result: PASS", report);
    }

    [Fact]
    public async Task DataLoss_IsCounted_AndFailsTheRun()
    {
        var (exitCode, report) = await RunAsync("--seeds", "3", "--duration", "30", "--messages", "3000", "--faults", "data-loss");

        Assert.True(exitCode == 1, $"the run should fail (exit {exitCode}):\n{report}");
        Assert.True(Figure(report, "**lost**") > 0, report);
        Assert.Contains("result: FAIL", report);
    }

    private async Task<(int ExitCode, string Report)> RunAsync(params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("rmq-chaos-").FullName;
        try
        {
            var (process, captured) = SiloProcess.Launch(RepoPaths.ChaosDll, [.. args, "--output", folder]);
            ChildProcesses.Track(process);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the chaos program did not finish within 8 minutes:\n{captured.All}");
            }
            finally
            {
                ChildProcesses.Forget(process);
            }
            output.WriteLine(captured.All);
            var file = Directory.GetFiles(folder, "chaos-*.txt").SingleOrDefault();
            return (process.ExitCode, file is null ? captured.All : await File.ReadAllTextAsync(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The number in the report's table row whose name starts with <paramref name="row"/>.</summary>
    private static long Figure(string report, string row)
    {
        var line = report.Split('\n').FirstOrDefault(l => l.StartsWith($"| {row}", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no row '{row}' in the report:\n{report}");
        return long.Parse(Regex.Match(line.Split('|')[2], @"\d+").Value);
    }
}
