using System.Diagnostics;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A <c>dotnet</c> (or <c>bash</c>) command as a user runs it in a shell: the SDK commands of the packaging and
/// sample tests (<c>pack</c>, <c>new</c>, <c>add package</c>, <c>run</c>). Long-running ones are stopped with their
/// whole process tree (<c>dotnet run</c> starts the app as its child), by pid.
/// </summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private readonly Process _process;

    private DotnetProcess(Process process, ProcessOutput output, string display)
    {
        _process = process;
        Output = output;
        Display = display;
        ChildProcesses.Track(process);
    }

    public ProcessOutput Output { get; }
    public string Display { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The environment of a fresh shell for SDK commands: none of the test host's MSBuild/VSTest variables (a
    /// nested build would take the test run's SDK paths), no build servers left running after the command, CI
    /// builds (deterministic, as <c>Directory.Build.props</c> has it for <c>CI=true</c>).
    /// </summary>
    public static void PrepareEnvironment(ProcessStartInfo start, IDictionary<string, string>? environment)
    {
        foreach (var key in start.Environment.Keys.ToList())
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key is "DOTNET_HOST_PATH" or "ASPNETCORE_URLS" or "ASPNETCORE_ENVIRONMENT")
                start.Environment.Remove(key);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        start.Environment["CI"] = "true";
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
    }

    /// <summary>Starts <paramref name="file"/> <paramref name="args"/> in <paramref name="workingDirectory"/>; the caller disposes it.</summary>
    public static DotnetProcess Start(string file, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        PrepareEnvironment(start, environment);
        var output = new ProcessOutput();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        output.Attach(process);
        return new DotnetProcess(process, output, $"{file} {string.Join(' ', args)}");
    }

    /// <summary>Runs a command to its end; fails with its output when it exits non-zero or outlives <paramref name="seconds"/>.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null, double seconds = 180)
    {
        await using var command = Start(file, args, workingDirectory, environment);
        await command.WaitForExitAsync(seconds);
        if (command.ExitCode != 0)
            throw new InvalidOperationException($"'{command.Display}' in {workingDirectory} exited with {command.ExitCode}:\n{command.Output.All}");
        return command.Output.All;
    }

    /// <summary>Waits for the exit; kills the process tree and throws when it takes longer than <paramref name="seconds"/>.</summary>
    public async Task WaitForExitAsync(double seconds)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"'{Display}' did not finish within {seconds} s:\n{Output.All}");
        }
        // WaitForExit with a token does not wait for the redirected streams to drain; this does.
        await _process.WaitForExitAsync();
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; fails when the process exits first or it takes longer than <paramref name="seconds"/>.</summary>
    public async Task WaitForOutputAsync(string text, double seconds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!Output.All.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"'{Display}' exited with {_process.ExitCode} before printing \"{text}\":\n{Output.All}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"'{Display}' did not print \"{text}\" within {seconds} s:\n{Output.All}");
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM to the process itself (a graceful stop; for an app started directly, not through <c>dotnet run</c>).</summary>
    public void Terminate() => Signals.Terminate(_process.Id);

    /// <summary>SIGKILL to the process and every descendant (<c>dotnet run</c>'s app), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Forget(_process);
        await KillAsync();
        _process.Dispose();
    }
}
