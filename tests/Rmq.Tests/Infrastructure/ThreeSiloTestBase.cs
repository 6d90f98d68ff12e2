using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// A fresh 3-silo cluster per test on its own redis-server (classic dialect), the cleaner every second and
/// membership probes fast (<see cref="RmqTestCluster"/>): for tests that kill silos or need several silos at once.
/// </summary>
/// <param name="durableRedis">Start the redis-server with an append-only file (fsync always), for tests that restart it.</param>
public abstract class ThreeSiloTestBase(bool durableRedis = false) : IAsyncLifetime
{
    protected RedisServer Redis { get; private set; } = null!;
    protected TestCluster Cluster { get; private set; } = null!;
    protected ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    protected RedisKeys Keys { get; } = new(KeyDialect.Classic);
    protected IDatabase Db => Multiplexer.GetDatabase();
    protected IGrainFactory Grains => Cluster.Client;

    /// <summary>The silos' Redis connection string (a test that restarts Redis may want a shorter connect timeout).</summary>
    protected virtual string SiloRedisConnectionString => Redis.Endpoint;

    public virtual async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(durable: durableRedis);
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(durableRedis ? $"{Redis.Endpoint},abortConnect=false" : Redis.Endpoint);
        Cluster = await RmqTestCluster.DeployAsync(3, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = SiloRedisConnectionString,
            ["CleanerInterval"] = "00:00:01",
        });
    }

    public virtual async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
