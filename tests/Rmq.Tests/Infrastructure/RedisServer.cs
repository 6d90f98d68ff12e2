using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// A private redis-server on a free loopback port, stopped by its process id. With the environment variable
/// <c>RMQ_TEST_SERVER=garnet</c> it is Microsoft Garnet instead (the <c>garnet-server</c> dotnet tool, with the
/// Lua scripting and the transaction mode Rmq needs), for the test classes marked <c>[Trait("Garnet", "core")]</c>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>True when the tests run against Garnet (<c>RMQ_TEST_SERVER=garnet</c>).</summary>
    public static bool IsGarnet { get; } =
        string.Equals(Environment.GetEnvironmentVariable("RMQ_TEST_SERVER"), "garnet", StringComparison.OrdinalIgnoreCase);

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

    /// <summary>A Garnet server with exactly <paramref name="garnetArgs"/> after its port and bind address (e.g. <c>--lua</c> alone), whatever RMQ_TEST_SERVER says.</summary>
    public static async Task<RedisServer> StartGarnetAsync(params string[] garnetArgs)
    {
        var port = FreePorts.Next();
        var dataDir = Directory.CreateTempSubdirectory("rmq-garnet-").FullName;
        var process = await StartProcessAsync(port, ["--port", port.ToString(), "--bind", "127.0.0.1", .. garnetArgs], GarnetPath());
        return new RedisServer(process, port, dataDir, false, []);
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

    private static Task<Process> LaunchAsync(int port, string dataDir, bool durable, string[] extraArgs)
    {
        if (IsGarnet)
        {
            // Garnet takes DEBUG without a switch; other options of redis-server (maxmemory, AOF, ACL users)
            // have no equivalent here: a test that needs them is not one of the Garnet core tests.
            if (extraArgs is ["--enable-debug-command", "yes"]) extraArgs = [];
            if (durable || extraArgs.Length > 0)
                throw new InvalidOperationException($"This test needs redis-server options ({(durable ? "appendonly " : "")}{string.Join(' ', extraArgs)}) that the Garnet test server does not take; do not mark it [Trait(\"Garnet\", \"core\")].");
            // --lua-transaction-mode: without it Garnet's scripts are not atomic and Rmq refuses it (docs/servers.md).
            return StartProcessAsync(port, ["--port", port.ToString(), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"], GarnetPath());
        }
        return StartProcessAsync(port,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", dataDir,
            "--appendonly", durable ? "yes" : "no", "--appendfsync", "always", .. extraArgs,
        ]);
    }

    // dotnet tool install -g puts it in ~/.dotnet/tools, which a test host's PATH may lack.
    private static string GarnetPath()
    {
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "garnet-server");
        return File.Exists(tool) ? tool : "garnet-server";
    }

    /// <summary>Starts <c>redis-server</c> with <paramref name="arguments"/>, tracked by <see cref="ChildProcesses"/>, and waits until it listens on <paramref name="port"/>.</summary>
    internal static async Task<Process> StartProcessAsync(int port, IEnumerable<string> arguments, string program = "redis-server")
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(program == "redis-server"
                ? "redis-server is not on the PATH; install it with 'apt-get install -y redis-server' (the README's test command does this)."
                : "garnet-server is not installed; install it with 'dotnet tool install -g garnet-server --version 2.2.12' (./test.sh does this).", e);
        }
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForPortAsync(port, process, Path.GetFileName(program));
        return process;
    }

    private static async Task WaitForPortAsync(int port, Process process, string program)
    {
        // Connecting before redis listens would hang for the client's connect timeout: poll the port.
        // Garnet, a .NET program, takes a few seconds to start on a busy machine.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{program} exited with code {process.ExitCode}");
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
        throw new TimeoutException($"{program} did not listen on port {port} within 20 s");
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
