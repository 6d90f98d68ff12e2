using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rmq.Tests.Infrastructure;

/// <summary>A private redis-server on a free loopback port, stopped by its process id.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly bool _durable;
    private readonly string[] _extraArgs;
    private Process _process;

    private RedisServer(Process process, int port, string dataDir, bool durable, string[] extraArgs)
    {
        _process = process;
        Port = port;
        DataDir = dataDir;
        _durable = durable;
        _extraArgs = extraArgs;
    }

    public int Port { get; }
    public string DataDir { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts a server; <paramref name="durable"/> turns on the append-only file with fsync on every write;
    /// <paramref name="extraArgs"/> are more redis-server options (e.g. <c>--enable-debug-command yes</c>).
    /// </summary>
    public static async Task<RedisServer> StartAsync(bool durable = false, params string[] extraArgs)
    {
        var port = FreePorts.Next();
        var dataDir = Directory.CreateTempSubdirectory("rmq-redis-").FullName;
        var process = await LaunchAsync(port, dataDir, durable, extraArgs);
        return new RedisServer(process, port, dataDir, durable, extraArgs);
    }

    /// <summary>Stops the server (SIGTERM, as an operator would) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the server with SIGKILL (no shutdown code runs, as in a crash) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts it again on the same port and data folder.</summary>
    public async Task RestartAsync()
    {
        ChildProcesses.Forget(_process);
        _process.Dispose();
        _process = await LaunchAsync(Port, DataDir, _durable, _extraArgs);
    }

    private static Task<Process> LaunchAsync(int port, string dataDir, bool durable, string[] extraArgs) =>
        StartProcessAsync(port,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", dataDir,
            "--appendonly", durable ? "yes" : "no", "--appendfsync", "always", .. extraArgs,
        ]);

    /// <summary>Starts <c>redis-server</c> with <paramref name="arguments"/>, tracked by <see cref="ChildProcesses"/>, and waits until it listens on <paramref name="port"/>.</summary>
    internal static async Task<Process> StartProcessAsync(int port, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("redis-server", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not on the PATH; install it with 'apt-get install -y redis-server' (the README's test command does this).", e);
        }
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForPortAsync(port, process);
        return process;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        // Connecting before redis listens would hang for the client's connect timeout: poll the port.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }
        throw new TimeoutException($"redis-server did not listen on port {port} within 10 s");
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Forget(_process);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }
}
