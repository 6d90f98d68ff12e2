using System.Diagnostics;

namespace Rmq.Chaos;

/// <summary>The publisher as a child process: this program again, with the <c>publish</c> command.</summary>
internal sealed class PublisherProcess(Process process, ProcessOutput output)
{
    public static PublisherProcess Start(string redis, int seed, int messages, TimeSpan duration, string log)
    {
        var dll = typeof(PublisherProcess).Assembly.Location;
        var (process, output) = SiloProcess.Launch(dll,
            ["publish", "--redis", redis, "--seed", seed.ToString(), "--messages", messages.ToString(),
             "--seconds", duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log", log]);
        ChildProcesses.Track(process);
        return new PublisherProcess(process, output);
    }

    /// <summary>Waits for the exit; returns its summary line, or throws with its output when it failed.</summary>
    public async Task<string> WaitAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"the publisher did not finish within {within.TotalSeconds:F0} s:\n{output.All}");
        }
        finally
        {
            ChildProcesses.Forget(process);
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"the publisher exited with {process.ExitCode}:\n{output.All}");
        return output.StdOut.Trim();
    }
}
