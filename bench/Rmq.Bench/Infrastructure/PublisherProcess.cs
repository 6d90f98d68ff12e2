using System.Diagnostics;
using System.Globalization;
using Rmq.Tests.Infrastructure;

namespace Rmq.Bench.Infrastructure;

/// <summary>
/// Publishers in a process of their own (<c>--publisher-process</c>), as real producers are: this
/// program again with the <c>publish-worker</c> command. It connects and builds its payloads before
/// the clock starts, says <c>ready</c>, publishes on <c>go</c>, and reports its CPU time and allocated bytes on exit.
/// </summary>
internal sealed class PublisherProcess : IAsyncDisposable
{
    private readonly Process _process;

    private PublisherProcess(Process process) => _process = process;

    /// <summary>Starts the worker and waits until it is connected and holds its payloads.</summary>
    public static async Task<PublisherProcess> StartAsync(string side, string redis, string queue, int messages, int publishers, int payloadBytes)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            typeof(PublisherProcess).Assembly.Location, "publish-worker", "--side", side, "--redis", redis, "--queue", queue,
            "--messages", messages.ToString(CultureInfo.InvariantCulture), "--publishers", publishers.ToString(CultureInfo.InvariantCulture),
            "--payload-bytes", payloadBytes.ToString(CultureInfo.InvariantCulture),
        }) start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("the publisher process did not start");
        ChildProcesses.Track(process);
        var worker = new PublisherProcess(process);
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line != "ready") throw new InvalidOperationException($"the publisher process said '{line}' instead of 'ready'");
        return worker;
    }

    /// <summary>Tells it to publish; the task ends when it has published everything, with its CPU time and allocation.</summary>
    public async Task<PublisherCost> PublishAsync()
    {
        await _process.StandardInput.WriteLineAsync("go");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync();
        await _process.WaitForExitAsync();
        if (_process.ExitCode != 0 || line is null || !line.StartsWith("done ", StringComparison.Ordinal))
            throw new InvalidOperationException($"the publisher process failed (exit {_process.ExitCode}, said '{line}')");
        var figures = line[5..].Split(' ');
        return new PublisherCost(TimeSpan.FromMicroseconds(double.Parse(figures[0], CultureInfo.InvariantCulture)),
            long.Parse(figures[1], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Forget(_process);
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
