using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// Two silos for long-running jobs, in one key dialect, with the timings shortened so jobs outlive them within
/// seconds: Orleans' response timeout and the consumer timeout 3 s, a 2 s job lease, a 6 s maximum run time.
/// </summary>
public abstract class LongJobClusterFixture(KeyDialect dialect) : IAsyncLifetime
{
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MaxRunTime = TimeSpan.FromSeconds(6);

    private IAsyncDisposable _redis = null!;

    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(dialect);
    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The silos' settings, for tests that deploy a cluster of their own on the same Redis.</summary>
    public Dictionary<string, string> Settings { get; private set; } = [];

    protected abstract Task<(string ConnectionString, IAsyncDisposable Redis)> StartRedisAsync();

    public async Task InitializeAsync()
    {
        string connectionString;
        (connectionString, _redis) = await StartRedisAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(connectionString);
        Settings = new Dictionary<string, string>
        {
            ["RedisConnectionString"] = connectionString,
            ["KeyDialect"] = dialect.ToString(),
            ["ConsumerTimeout"] = ResponseTimeout.ToString(),
            ["ConsumerRetryDelay"] = "00:00:00.2",
            ["JobLease"] = Lease.ToString(),
            ["JobMaxRunTime"] = MaxRunTime.ToString(),
            ["CleanerEnabled"] = "false",
        };
        Cluster = await RmqTestCluster.DeployAsync(2, Settings, ResponseTimeout, droppedRenewals: true);
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

public sealed class ClassicLongJobFixture() : LongJobClusterFixture(KeyDialect.Classic)
{
    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        var redis = await RedisServer.StartAsync();
        return (redis.Endpoint, redis);
    }
}

public sealed class ClusterDialectLongJobFixture() : LongJobClusterFixture(KeyDialect.Cluster)
{
    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        var cluster = await RedisClusterServer.StartAsync();
        return (cluster.ConnectionString, cluster);
    }
}
