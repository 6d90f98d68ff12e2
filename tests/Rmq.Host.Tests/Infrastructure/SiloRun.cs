using System.Diagnostics;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>Runs a silo process that is expected to refuse to start, and returns how it ended.</summary>
public static class SiloRun
{
    public sealed record Exit(int ExitCode, string StdErr, string All, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed}:\n{All}";
    }

    /// <summary>
    /// Starts the silo on free ports with <paramref name="args"/> (given after the ports, so they win) and
    /// waits up to <paramref name="seconds"/> for it to exit; one that starts instead is killed by its pid and
    /// reported with exit code -1.
    /// </summary>
    public static async Task<Exit> UntilExitAsync(IEnumerable<string> args, double seconds = 30, IDictionary<string, string>? environment = null)
    {
        var baseArgs = new List<string>
        {
            "--Rmq:EmbeddedRedis", "false",
            "--Silo:SiloPort", FreePorts.Next().ToString(),
            "--Silo:GatewayPort", FreePorts.Next().ToString(),
            "--urls", $"http://127.0.0.1:{FreePorts.Next()}",
        };
        var clock = Stopwatch.StartNew();
        var (process, output) = SiloProcess.Launch(RepoPaths.SiloDll, baseArgs.Concat(args), environment);
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // It started instead of failing: stop it by its pid and report what it printed.
                process.Kill();
                await process.WaitForExitAsync();
                return new Exit(-1, output.StdErr, output.All, clock.Elapsed);
            }
            // Drains the redirected streams.
            await process.WaitForExitAsync();
            return new Exit(process.ExitCode, output.StdErr, output.All, clock.Elapsed);
        }
    }
}
