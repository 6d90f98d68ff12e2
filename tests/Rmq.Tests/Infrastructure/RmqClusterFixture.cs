using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>A TestCluster of two silos running Rmq against a private redis-server, in one key dialect.</summary>
public abstract class RmqClusterFixture(KeyDialect dialect) : IAsyncLifetime
{
    /// <summary>The payload limit the fixture's silos use, lower than the default so the limit can be tested cheaply.</summary>
    public const long MaxPayloadBytes = 1024 * 1024;

    public RedisServer Redis { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(dialect);
    public KeyDialect Dialect => dialect;
    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        Cluster = await RmqTestCluster.DeployAsync(2, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = Redis.Endpoint,
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
        await Redis.DisposeAsync();
    }

    public IQueueGrain Queue(string name) => Cluster.Client.GetGrain<IQueueGrain>(name);

    /// <summary>A queue name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}

public sealed class ClassicClusterFixture() : RmqClusterFixture(KeyDialect.Classic);

public sealed class ClusterDialectClusterFixture() : RmqClusterFixture(KeyDialect.Cluster);

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
