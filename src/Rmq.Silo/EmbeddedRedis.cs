using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rmq.Silo;

/// <summary>
/// The silo's default Redis: when nothing answers at a loopback address and <c>redis-server</c> is on
/// the PATH, a private one is started there (data in <c>.rmq-data/</c>, append-only file on) and
/// stopped with the silo. Anything else is left to the operator.
/// </summary>
internal sealed partial class EmbeddedRedis(ILogger<EmbeddedRedis> logger) : IAsyncDisposable
{
    private Process? _process;

    /// <summary>Makes sure Redis answers at <paramref name="connectionString"/>, starting a private one if allowed and possible.</summary>
    public async Task EnsureAsync(string connectionString, bool allowStart, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        var (host, port) = options.EndPoints[0] switch
        {
            System.Net.DnsEndPoint d => (d.Host, d.Port == 0 ? 6379 : d.Port),
            System.Net.IPEndPoint i => (i.Address.ToString(), i.Port == 0 ? 6379 : i.Port),
            var other => (other.ToString()!, 6379),
        };
        if (await AnswersAsync(host, port, cancellationToken)) return;

        var loopback = host is "localhost" or "127.0.0.1" or "::1";
        if (!allowStart || !loopback)
            throw new InvalidOperationException(
                $"No Redis answers at {host}:{port}. Start one there, or set Rmq:RedisConnectionString (environment RMQ__Rmq__RedisConnectionString) to a reachable Redis.");
        var server = FindOnPath("redis-server")
            ?? throw new InvalidOperationException(
                $"No Redis answers at {host}:{port} and redis-server is not installed. Install it (Debian: 'sudo apt-get install -y redis-server') or point Rmq:RedisConnectionString at a reachable Redis.");

        var dataDir = Path.GetFullPath(".rmq-data");
        Directory.CreateDirectory(dataDir);
        var start = new ProcessStartInfo(server)
        {
            ArgumentList = { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", dataDir, "--appendonly", "yes", "--save", "" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await AnswersAsync(host, port, cancellationToken))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"The private redis-server on port {port} did not start (is the port taken?).");
            await Task.Delay(50, cancellationToken);
        }
        LogStarted(port, dataDir, _process.Id);
    }

    private static async Task<bool> AnswersAsync(string host, int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        var process = _process;
        _process = null;
        if (!process.HasExited)
        {
            // SIGTERM lets redis flush its append-only file; kill only if it does not exit.
            Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { process.Kill(); }
        }
        LogStopped(process.Id);
        process.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started a private redis-server on port {Port} (data in {DataDir}, pid {Pid})")]
    private partial void LogStarted(int port, string dataDir, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped the private redis-server (pid {Pid})")]
    private partial void LogStopped(int pid);
}
