using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>SIGTERM stops a consuming silo process cleanly: prefetched deliveries go back, nothing stays in unacked.</summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Deliveries = 20_000;
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _multiplexer = null!;

    private IDatabase Db => _multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _multiplexer.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Sigterm_WhileConsuming_ExitsWith0_AndLeavesNothingInUnacked()
    {
        await using var silo = SiloProcess.Start("graceful", _redis.Endpoint);
        await silo.WaitHealthyAsync();
        const string queue = "graceful";
        var doneKey = _keys.Ready("graceful-done");
        string? connection;
        await using (var client = await RmqClient.ConnectAsync(o => o.GatewayPort = silo.GatewayPort))
        {
            var grain = client.Queue(queue);
            foreach (var chunk in Enumerable.Range(0, Deliveries).Select(i => $"g-{i:D5}").Chunk(1000)) await grain.PublishBatch(chunk);
            await grain.StartConsuming(prefetchLimit: 500, pollInterval: TimeSpan.FromMilliseconds(50));
            for (var i = 0; i < 8; i++) await grain.AddConsumer("relay", client.Grains.GetGrain<IRelayConsumerGrain>(i, "graceful-done"));
            connection = await grain.GetConnectionName();
            Assert.NotNull(connection);
            await Eventually.True(async () => await Db.ListLengthAsync(doneKey) >= 1000, "consumption under way", seconds: 60);
        }
        // The queue holds a full prefetch while ready has a backlog: the stop has something to hand back.
        var unackedBefore = await Db.ListLengthAsync(_keys.Unacked(connection, queue));
        Assert.True(unackedBefore > 0, "unacked was empty before the stop; the test would prove nothing");

        var exitCode = await silo.TerminateAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{silo.Output.All}");
        Assert.Contains("Rmq silo graceful stopped", silo.Output.All);
        Assert.Equal(0, await Db.ListLengthAsync(_keys.Unacked(connection, queue)));
        Assert.False(await Db.KeyExistsAsync(RedisKeys.Heartbeat(connection)), "heartbeat deleted");
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, connection), "connection unregistered");
        // Nothing lost: every delivery is in ready (not yet consumed) or was copied by a consumer;
        // a relay whose target queue was already deactivating rejects, so rejected counts too.
        var ready = await Db.ListLengthAsync(_keys.Ready(queue));
        var rejected = await Db.ListLengthAsync(_keys.Rejected(queue));
        var copies = (await Db.ListRangeAsync(doneKey)).Select(v => RelayedCopies.Decode((byte[])v!).Payload).ToList();
        var left = (await Db.ListRangeAsync(_keys.Ready(queue))).Concat(await Db.ListRangeAsync(_keys.Rejected(queue))).Select(v => (string)v!);
        Assert.Equal(Deliveries, copies.Concat(left).Distinct().Count());
        output.WriteLine($"SIGTERM with {unackedBefore} unacked: exit {exitCode}; afterwards ready {ready}, rejected {rejected}, consumed {copies.Count} ({copies.Count - copies.Distinct().Count()} twice), unacked 0");
    }
}
