namespace Rmq.Host.Tests.Infrastructure;

/// <summary>Runs the built <c>rmq</c> tool as a shell user would and returns what it printed and its exit code.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
    }

    public static async Task<Result> RunAsync(IEnumerable<string> args, string? stdin = null, double seconds = 60)
    {
        var (process, output) = SiloProcess.Launch(RepoPaths.CliDll, args);
        using (process)
        {
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
                throw new TimeoutException($"rmq {string.Join(' ', args)} did not finish within {seconds} s:\n{output.All}");
            }
            // WaitForExit with a token does not wait for the redirected streams to drain; this does.
            await process.WaitForExitAsync();
            return new Result(process.ExitCode, output.StdOut, output.StdErr);
        }
    }

    /// <summary>Runs <c>rmq</c> against a silo's gateway.</summary>
    public static Task<Result> RunAsync(SiloProcess silo, params string[] args) =>
        RunAsync(["--gateway-port", silo.GatewayPort.ToString(), .. args]);
}
