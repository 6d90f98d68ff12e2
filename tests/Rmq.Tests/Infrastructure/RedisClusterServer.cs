using System.Diagnostics;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// A private Redis Cluster of three masters (no replicas) on free loopback ports, each node stopped by its process
/// id. <see cref="StartAsync"/> returns only once every node reports <c>cluster_state:ok</c> and all three agree on
/// a slot map that covers every slot, so a first command never meets <c>CLUSTERDOWN</c> or a <c>MOVED</c> storm.
/// </summary>
public sealed class RedisClusterServer : IAsyncDisposable
{
    private const int Nodes = 3;
    private const int Slots = 16_384;
    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly List<(Process Process, int Port, string DataDir)> _nodes;

    private RedisClusterServer(List<(Process, int, string)> nodes, TimeSpan startup)
    {
        _nodes = nodes;
        Startup = startup;
    }

    /// <summary>The nodes' endpoints, <c>127.0.0.1:P</c>.</summary>
    public IReadOnlyList<string> Endpoints => EndpointsOf(_nodes);

    /// <summary>A StackExchange.Redis configuration string naming every node.</summary>
    public string ConnectionString => string.Join(",", Endpoints);

    private static List<string> EndpointsOf(IEnumerable<(Process Process, int Port, string DataDir)> nodes) =>
        [.. nodes.Select(n => $"127.0.0.1:{n.Port}")];

    /// <summary>The nodes' process ids.</summary>
    public IReadOnlyList<int> ProcessIds => [.. _nodes.Select(n => n.Process.Id)];

    /// <summary>How long <see cref="StartAsync"/> took, from the first node's launch to an agreed slot map.</summary>
    public TimeSpan Startup { get; }

    public static async Task<RedisClusterServer> StartAsync()
    {
        var started = Stopwatch.StartNew();
        var nodes = new List<(Process, int, string)>();
        try
        {
            for (var i = 0; i < Nodes; i++)
            {
                var port = FreePorts.Next();
                // The bus port is its own free port (cluster-port, Redis 7), not Redis' default of port + 10000.
                var busPort = FreePorts.Next();
                var dataDir = Directory.CreateTempSubdirectory("rmq-redis-cluster-").FullName;
                var process = await RedisServer.StartProcessAsync(port,
                [
                    "--port", port.ToString(), "--cluster-port", busPort.ToString(), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(dataDir, "nodes.conf"),
                    "--dir", dataDir, "--save", "", "--appendonly", "no",
                ]);
                nodes.Add((process, port, dataDir));
            }
            var endpoints = EndpointsOf(nodes);
            await CreateAsync(endpoints);
            await WaitUntilReadyAsync(endpoints);
            return new RedisClusterServer(nodes, started.Elapsed);
        }
        catch
        {
            await StopAsync(nodes);
            throw;
        }
    }

    /// <summary><c>redis-cli --cluster create</c>: assigns the slots in three ranges and joins the nodes.</summary>
    private static async Task CreateAsync(IReadOnlyList<string> endpoints)
    {
        var start = new ProcessStartInfo("redis-cli", ["--cluster", "create", .. endpoints, "--cluster-replicas", "0", "--cluster-yes"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var cli = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start");
        ChildProcesses.Track(cli);
        try
        {
            var stdout = cli.StandardOutput.ReadToEndAsync();
            var stderr = cli.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CreateTimeout);
            try
            {
                await cli.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                cli.Kill();
                await cli.WaitForExitAsync();
                throw new TimeoutException($"redis-cli --cluster create did not finish within {CreateTimeout.TotalSeconds} s: {await stdout}{await stderr}");
            }
            if (cli.ExitCode != 0)
                throw new InvalidOperationException($"redis-cli --cluster create exited with {cli.ExitCode}: {await stdout}{await stderr}");
        }
        finally
        {
            ChildProcesses.Forget(cli);
        }
    }

    /// <summary>
    /// Polls every node until it says <c>cluster_state:ok</c> with all slots assigned, and until the three nodes'
    /// views of the cluster (who holds which slots, nobody failing or still in handshake) are identical.
    /// </summary>
    private static async Task WaitUntilReadyAsync(IReadOnlyList<string> endpoints)
    {
        var connectionString = string.Join(",", endpoints);
        // CLUSTER INFO counts as an admin command for StackExchange.Redis.
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{connectionString},allowAdmin=true");
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var views = new List<string>();
            var ok = true;
            foreach (var endpoint in endpoints)
            {
                var server = multiplexer.GetServer(endpoint);
                var info = (string?)await server.ExecuteAsync("CLUSTER", "INFO") ?? "";
                var nodes = await server.ClusterNodesAsync();
                var view = nodes is null ? "" : SlotMap(nodes);
                views.Add(view);
                last = $"{endpoint}: {info.Replace("\r\n", " ")} | {view}";
                ok &= info.Contains("cluster_state:ok") && info.Contains($"cluster_slots_assigned:{Slots}")
                      && info.Contains($"cluster_slots_ok:{Slots}") && info.Contains($"cluster_known_nodes:{Nodes}");
            }
            if (ok && views.Distinct().Count() == 1 && views[0] != "") return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"the Redis Cluster on {connectionString} was not ready within {ReadyTimeout.TotalSeconds} s; last seen {last}");
    }

    /// <summary>One node's view, in a form equal on every node: each master's endpoint and slot ranges, or "" while it is incomplete.</summary>
    private static string SlotMap(ClusterConfiguration nodes)
    {
        var all = nodes.Nodes.ToList();
        if (all.Count != Nodes || all.Any(n => n.IsFail || n.IsPossiblyFail || n.IsHandshake || n.IsNoAddr || n.IsReplica || (!n.IsMyself && !n.IsConnected)))
            return "";
        if (all.Sum(n => n.Slots.Sum(s => s.To - s.From + 1)) != Slots) return "";
        return string.Join(" ", all.OrderBy(n => n.EndPoint?.ToString(), StringComparer.Ordinal)
            .Select(n => $"{n.EndPoint}={string.Join(",", n.Slots.OrderBy(s => s.From).Select(s => $"{s.From}-{s.To}"))}"));
    }

    private static async Task StopAsync(IEnumerable<(Process Process, int Port, string DataDir)> nodes)
    {
        foreach (var (process, _, dataDir) in nodes)
        {
            ChildProcesses.Forget(process);
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
            try { Directory.Delete(dataDir, recursive: true); } catch (IOException) { }
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync(_nodes));
}
