using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Rmq.Publishing;

namespace Rmq.Tests.Infrastructure;

/// <summary>A TestCluster of two silos running Rmq against a private Redis, in one key dialect.</summary>
public abstract class RmqClusterFixture(KeyDialect dialect) : IAsyncLifetime
{
    /// <summary>The payload limit the fixture's silos use, lower than the default so the limit can be tested cheaply.</summary>
    public const long MaxPayloadBytes = 1024 * 1024;

    private IAsyncDisposable _redis = null!;

    /// <summary>What the silos and <see cref="Multiplexer"/> connect with: one endpoint, or every node of a Redis Cluster.</summary>
    public string RedisConnectionString { get; private set; } = "";
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(dialect);
    public KeyDialect Dialect => dialect;
    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Starts the Redis the fixture runs on; returns its connection string and what stops it.</summary>
    protected abstract Task<(string ConnectionString, IAsyncDisposable Redis)> StartRedisAsync();

    public async Task InitializeAsync()
    {
        (RedisConnectionString, _redis) = await StartRedisAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(RedisConnectionString);
        Cluster = await RmqTestCluster.DeployAsync(2, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = RedisConnectionString,
            ["KeyDialect"] = dialect.ToString(),
            ["MaxPayloadBytes"] = MaxPayloadBytes.ToString(),
            // These tests build dead connections by hand and call Clean() themselves.
            ["CleanerEnabled"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await _redis.DisposeAsync();
    }

    public IQueueGrain Queue(string name) => Cluster.Client.GetGrain<IQueueGrain>(name);

    /// <summary>A direct publisher (the client library's path) with the silos' Redis, dialect and payload limit.</summary>
    public Task<RmqPublisher> ConnectPublisherAsync() =>
        RmqPublisher.ConnectAsync(o =>
        {
            o.RedisConnectionString = RedisConnectionString;
            o.KeyDialect = Dialect;
            o.MaxPayloadBytes = MaxPayloadBytes;
        });

    /// <summary>A queue name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

/// <summary>The classic dialect on one redis-server, as Go rmq is mostly deployed.</summary>
public sealed class ClassicClusterFixture() : RmqClusterFixture(KeyDialect.Classic)
{
    public RedisServer Redis { get; private set; } = null!;

    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        Redis = await RedisServer.StartAsync();
        return (Redis.Endpoint, Redis);
    }
}

/// <summary>
/// The cluster dialect on a real three-master Redis Cluster: the dialect exists so that every key of a queue
/// shares a hash slot, and only a real cluster refuses a command that spans slots.
/// </summary>
public sealed class ClusterDialectClusterFixture() : RmqClusterFixture(KeyDialect.Cluster)
{
    public RedisClusterServer RedisCluster { get; private set; } = null!;

    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        RedisCluster = await RedisClusterServer.StartAsync();
        return (RedisCluster.ConnectionString, RedisCluster);
    }
}

[CollectionDefinition(Name)]
public sealed class ClassicCollection : ICollectionFixture<ClassicClusterFixture>
{
    public const string Name = "classic dialect cluster";
}

[CollectionDefinition(Name)]
public sealed class ClusterDialectCollection : ICollectionFixture<ClusterDialectClusterFixture>
{
    public const string Name = "cluster dialect cluster";
}
