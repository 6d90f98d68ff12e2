namespace Rmq.Tests;

/// <summary>
/// Every kind of Redis failure reaches a real Orleans client as one of Rmq's own exceptions, carrying what
/// Redis said and where: never as Orleans's CodecNotFoundException for a StackExchange.Redis type, which
/// has no codec. One test per kind, each injected for real (FAULTS.md) under a grain call.
/// </summary>
public sealed class ServerErrorTests(ServerErrorFixture fixture) : IClassFixture<ServerErrorFixture>
{
    private IQueueGrain Queue(string name) => fixture.Grains.GetGrain<IQueueGrain>(name);

    /// <summary>Publishes once the silo's connection is up again (after a restart in another test, it reconnects by itself).</summary>
    private Task PublishWhenConnectedAsync(string name, string payload) =>
        Eventually.True(async () =>
        {
            try
            {
                await Queue(name).Publish(payload);
                return true;
            }
            catch (RedisUnavailableException)
            {
                return false;
            }
        }, "the silo publishes again");

    [Fact]
    public async Task AServerError_ReachesTheClientAsRedisServerErrorException_WithRedisMessageCommandAndEndpoint()
    {
        var name = RmqClusterFixture.UniqueName("wrongtype");
        await PublishWhenConnectedAsync(name, "before");
        await fixture.Db.KeyDeleteAsync(fixture.Keys.Ready(name));
        // The ready list becomes a string: the publish fails in Redis with WRONGTYPE.
        await fixture.Db.StringSetAsync(fixture.Keys.Ready(name), "not a list");
        try
        {
            var e = await Assert.ThrowsAsync<RedisServerErrorException>(() => Queue(name).Publish("p"));
            Assert.Contains("WRONGTYPE", e.ServerMessage);
            Assert.Contains("WRONGTYPE", e.Message);
            Assert.Contains(fixture.Redis.Endpoint, e.Message);
            Assert.Contains("IQueueGrain.Publish", e.Operation);
        }
        finally
        {
            await fixture.Db.KeyDeleteAsync(fixture.Keys.Ready(name));
        }
        await PublishWhenConnectedAsync(name, "p");
        Assert.Equal(1, await fixture.Db.ListLengthAsync(fixture.Keys.Ready(name)));
    }

    [Fact]
    public async Task NOPERM_ReachesTheClientAsRedisCommandRefusedException_SayingWhatToGrant()
    {
        var name = RmqClusterFixture.UniqueName("noperm");
        await PublishWhenConnectedAsync(name, "before");
        // The silo's user loses the list and script commands; its open connection is refused at once.
        await fixture.Db.ExecuteAsync("ACL", "SETUSER", ServerErrorFixture.User, "-@list", "-@scripting");
        try
        {
            var e = await Assert.ThrowsAsync<RedisCommandRefusedException>(() => Queue(name).Publish("refused"));
            Assert.StartsWith("NOPERM", e.ServerMessage);
            Assert.Contains("NOPERM", e.Message);
            Assert.Contains("ACL SETUSER", e.Message);
            Assert.Contains(fixture.Redis.Endpoint, e.Message);
        }
        finally
        {
            await fixture.GrantAllAsync();
        }
        Assert.Equal(1, await fixture.Db.ListLengthAsync(fixture.Keys.Ready(name)));
    }

    [Fact]
    public async Task READONLY_ReachesTheClientAsRedisCommandRefusedException_NamingTheReplica()
    {
        var name = RmqClusterFixture.UniqueName("readonly");
        await using var primary = await RedisServer.StartAsync();
        // The silo's Redis becomes a replica of another server: it refuses every write with READONLY.
        await fixture.Db.ExecuteAsync("REPLICAOF", "127.0.0.1", primary.Port.ToString());
        try
        {
            var e = await Assert.ThrowsAsync<RedisCommandRefusedException>(() => Queue(name).Publish("refused"));
            Assert.StartsWith("READONLY", e.ServerMessage);
            Assert.Contains("READONLY", e.Message);
            Assert.Contains("read-only replica", e.Message);
        }
        finally
        {
            await fixture.Db.ExecuteAsync("REPLICAOF", "NO", "ONE");
        }
    }

    [Fact]
    public async Task ATimeout_ReachesTheClientAsRedisUnavailableException_ThatSaysTheCommandMayHaveRun()
    {
        var name = RmqClusterFixture.UniqueName("timeout");
        await PublishWhenConnectedAsync(name, "before");
        await using var pauser = await ConnectionMultiplexer.ConnectAsync($"{fixture.Redis.Endpoint},allowAdmin=true");
        // Redis stops answering for 2.5 s without closing: the silo's 800 ms timeout fires first.
        await pauser.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "2500", "ALL");
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => Queue(name).Publish("paused"));
        Assert.True(e.TimedOut);
        Assert.Contains("did not answer in time", e.Message);
        Assert.Contains(fixture.Redis.Endpoint, e.Message);
        await pauser.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
    }

    [Fact]
    public async Task AnUnreachableRedis_ReachesTheClientAsRedisUnavailableException_NamingTheEndpoint()
    {
        var name = RmqClusterFixture.UniqueName("down");
        await PublishWhenConnectedAsync(name, "before");
        await fixture.Redis.StopAsync();
        try
        {
            // A stats call reads Redis without a publish's own mapping: the filter is what words it.
            var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => Queue(name).GetStats());
            Assert.False(e.TimedOut);
            Assert.Contains("not reachable", e.Message);
            Assert.Contains(fixture.Redis.Endpoint, e.Message);
        }
        finally
        {
            // The user comes back from the server's configuration, so the silo reconnects as that user.
            await fixture.Redis.RestartAsync();
            await PublishWhenConnectedAsync(name, "after");
        }
    }
}
