using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// One silo against a private redis-server that accepts <c>DEBUG SLEEP</c>, with every timing short so
/// faults play out within seconds: a 800 ms client timeout, a 4 s heartbeat TTL (the connection is given
/// up after 3.5 s without a heartbeat), a 1 s consumer timeout with 3 attempts, 200 ms consumer backoff,
/// a 2 s stall timeout. The cleaner runs only when a test calls <see cref="ICleanerGrain.Clean"/>.
/// </summary>
public sealed class FaultClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(4);
    public const int ConsumerMaxAttempts = 3;

    public RedisServer Redis { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(KeyDialect.Classic);
    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(false, "--enable-debug-command", "yes");
        Multiplexer = await ConnectionMultiplexer.ConnectAsync($"{Redis.Endpoint},asyncTimeout=10000,allowAdmin=true");
        Cluster = await RmqTestCluster.DeployAsync(1, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = $"{Redis.Endpoint},asyncTimeout=800,connectTimeout=1000",
            ["HeartbeatTtl"] = HeartbeatTtl.ToString(),
            ["HeartbeatInterval"] = "00:00:00.25",
            ["HeartbeatErrorLimit"] = "14",
            ["ConsumerTimeout"] = "00:00:01",
            ["ConsumerMaxAttempts"] = ConsumerMaxAttempts.ToString(),
            ["ConsumerRetryDelay"] = "00:00:00.2",
            ["ConsumerFailureBackoff"] = "00:00:00.2",
            ["ConsumerMaxBackoff"] = "00:00:02",
            ["StallTimeout"] = "00:00:02",
            ["CleanerEnabled"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await Redis.DisposeAsync();
    }

    /// <summary>A second connection for commands that block Redis (DEBUG SLEEP), so the test's own reads are not held up.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync($"{Redis.Endpoint},asyncTimeout=10000,allowAdmin=true");

    /// <summary>LLEN summed over every unacked list of <paramref name="queue"/> in Redis, whoever's connection it is.</summary>
    public Task<long> UnackedTotalAsync(string queue) => Multiplexer.UnackedTotalAsync(Keys, queue);
}
