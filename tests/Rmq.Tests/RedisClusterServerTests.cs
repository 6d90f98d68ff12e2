using System.Diagnostics;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>The local Redis Cluster the cluster-dialect tests run on: really three masters, ready when started, gone when disposed.</summary>
public sealed class RedisClusterServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StartAsync_ThreeMastersShareEverySlot_AndTheFirstCommandsSucceed_DisposeKillsThem()
    {
        var cluster = await RedisClusterServer.StartAsync();
        IReadOnlyList<int> pids;
        try
        {
            output.WriteLine($"cluster {cluster.ConnectionString} ready in {cluster.Startup.TotalMilliseconds:F0} ms");
            pids = cluster.ProcessIds;
            Assert.Equal(3, cluster.Endpoints.Count);
            await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
            var primaries = multiplexer.GetServers().Where(s => !s.IsReplica).ToList();
            Assert.Equal(3, primaries.Count);
            Assert.All(primaries, s => Assert.Equal(ServerType.Cluster, s.ServerType));

            // Keys spread over all three masters, written right after start: none may meet CLUSTERDOWN or MOVED.
            var db = multiplexer.GetDatabase();
            var keys = Enumerable.Range(0, 300).Select(i => (RedisKey)$"smoke-{i}").ToList();
            await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "1")));
            var owners = keys.Select(k => multiplexer.GetServer(k).EndPoint.ToString()).Distinct().Count();
            Assert.Equal(3, owners);
            long onPrimaries = 0;
            foreach (var server in primaries) onPrimaries += await server.DatabaseSizeAsync();
            Assert.Equal(keys.Count, onPrimaries);

            // A script over two slots is refused before it is sent: what the cluster dialect must never do.
            var refused = await Assert.ThrowsAsync<RedisCommandException>(() =>
                db.ScriptEvaluateAsync("return 1", ["rmq::queue::{a}::ready", "rmq::queue::{b}::ready"]));
            output.WriteLine($"a script over two slots: {refused.Message}");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
        foreach (var pid in pids)
        {
            // Process.GetProcessById throws once the process is gone (it has been reaped by WaitForExit).
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
    }
}
