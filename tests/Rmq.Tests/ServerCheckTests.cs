using Rmq.Publishing;
using Rmq.Redis.Servers;

namespace Rmq.Tests;

/// <summary>
/// The start-up check names the server and finds out what it can do by running harmless scripts on it; a
/// server that cannot run Rmq is refused at connect with a message naming it, its version and what it lacks.
/// </summary>
public sealed class ServerCheckTests
{
    [Fact]
    [Trait("Garnet", "core")]
    public async Task TheTestServer_IsNamed_AndRunsAtomicScripts_WithScriptFlagsOnRedisOnly()
    {
        await using var redis = await RedisServer.StartAsync();
        var servers = await ServerCheck.CheckAsync(ConfigurationOptions.Parse(redis.Endpoint));
        var server = Assert.Single(servers);
        Assert.Equal(RedisServer.IsGarnet ? RedisServerKind.Garnet : RedisServerKind.Redis, server.Server.Kind);
        Assert.Equal(!RedisServer.IsGarnet, server.ScriptFlags);
        Assert.True(server.AtomicScripts);
        Assert.Null(server.Missing);
    }

    [Fact]
    public async Task GarnetWithLuaOnly_IsRefusedAtConnect_BecauseItsScriptsAreNotAtomic()
    {
        await using var garnet = await RedisServer.StartGarnetAsync("--lua");
        var e = await Assert.ThrowsAsync<RedisServerNotSupportedException>(() =>
            RmqPublisher.ConnectAsync(o => o.RedisConnectionString = garnet.Endpoint));
        Assert.Equal("Garnet", e.Server);
        Assert.Equal("2.2.12", e.Version);
        Assert.Contains("not atomic", e.Message);
        Assert.Contains("--lua-transaction-mode", e.Message);
        Assert.Contains(garnet.Endpoint, e.Message);
    }

    [Fact]
    public async Task GarnetWithTransactionMode_IsAccepted_WithoutScriptFlags()
    {
        await using var garnet = await RedisServer.StartGarnetAsync("--lua", "--lua-transaction-mode");
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = garnet.Endpoint);
        var server = Assert.Single(publisher.Servers);
        Assert.Equal(RedisServerKind.Garnet, server.Server.Kind);
        Assert.Equal("2.2.12", server.Server.Version);
        Assert.False(server.ScriptFlags);
        Assert.True(server.AtomicScripts);
        Assert.Contains("allow-oom", server.Describe());
    }

    [Fact]
    public async Task GarnetWithoutLua_IsRefusedAtConnect_SayingToStartItWithLua()
    {
        await using var garnet = await RedisServer.StartGarnetAsync();
        var e = await Assert.ThrowsAsync<RedisServerNotSupportedException>(() =>
            RmqPublisher.ConnectAsync(o => o.RedisConnectionString = garnet.Endpoint));
        Assert.Contains("Lua", e.Message);
        Assert.Contains("--lua --lua-transaction-mode", e.Message);
    }

    [Theory]
    [InlineData("redis_version:7.0.15\nredis_mode:standalone", RedisServerKind.Redis, "7.0.15")]
    [InlineData("redis_version:7.2.4\nvalkey_version:8.0.1\nserver_name:valkey", RedisServerKind.Valkey, "8.0.1")]
    [InlineData("garnet_version:2.2.12\nserver_name:garnet\nredis_version:7.4.3", RedisServerKind.Garnet, "2.2.12")]
    [InlineData("redis_version:7.4.0\ndragonfly_version:df-v1.21.2", RedisServerKind.Dragonfly, "1.21.2")]
    public void InfoServer_NamesTheServerAndItsOwnVersion(string info, RedisServerKind kind, string version)
    {
        var server = RedisServerInfo.Parse("# Server\r\n" + info.Replace("\n", "\r\n"), "127.0.0.1:1");
        Assert.Equal(kind, server.Kind);
        Assert.Equal(version, server.Version);
    }
}
