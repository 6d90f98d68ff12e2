using System.Globalization;
using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// One silo against Redis with <c>maxmemory 20mb</c> and <c>maxmemory-policy noeviction</c> (FAULTS.md, "memory
/// full"), in one key dialect, with short heartbeats: a 2 s TTL, refreshed every 250 ms, given up after 1.75 s
/// without a successful heartbeat — so a test that consumes for a few seconds on a full Redis would see the
/// connection given up (or cleaned as dead) if heartbeats were refused. The cleaner runs only when a test calls it.
/// </summary>
public abstract class FullRedisFixture(KeyDialect dialect) : IAsyncLifetime
{
    public const long MaxMemory = 20 * 1024 * 1024;
    public static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(2);

    /// <summary>How far over maxmemory <see cref="FillAsync"/> takes each primary: more than a test's queues hold, so it stays full while they are consumed.</summary>
    public const long Headroom = 4 * 1024 * 1024;

    // SETRANGE makes a string of ARGV[1] bytes without sending them; allow-oom so it can take Redis past the limit.
    private const string Ballast = """
        #!lua flags=allow-oom
        return redis.call('SETRANGE', KEYS[1], tonumber(ARGV[1]) - 1, 'x')
        """;

    private IAsyncDisposable _redis = null!;
    private readonly List<RedisKey> _ballast = [];

    public string RedisConnectionString { get; private set; } = "";
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(dialect);
    public KeyDialect Dialect => dialect;
    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Starts Redis with the memory limit; returns its connection string and what stops it.</summary>
    protected abstract Task<(string ConnectionString, IAsyncDisposable Redis)> StartRedisAsync();

    public async Task InitializeAsync()
    {
        (RedisConnectionString, _redis) = await StartRedisAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync($"{RedisConnectionString},allowAdmin=true");
        foreach (var server in Primaries())
        {
            await server.ConfigSetAsync("maxmemory", MaxMemory.ToString(CultureInfo.InvariantCulture));
            await server.ConfigSetAsync("maxmemory-policy", "noeviction");
        }
        Cluster = await RmqTestCluster.DeployAsync(1, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = RedisConnectionString,
            ["KeyDialect"] = dialect.ToString(),
            ["HeartbeatTtl"] = HeartbeatTtl.ToString(),
            ["HeartbeatInterval"] = "00:00:00.25",
            ["HeartbeatErrorLimit"] = "6",
            ["CleanerEnabled"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await _redis.DisposeAsync();
    }

    public IQueueGrain Queue(string name) => Grains.GetGrain<IQueueGrain>(name);

    public IServer[] Primaries() => [.. Multiplexer.GetServers().Where(s => !s.IsReplica)];

    /// <summary>(used_memory, maxmemory) of the primary that holds <paramref name="key"/>, from <c>INFO memory</c>.</summary>
    public async Task<(long Used, long Max)> MemoryOf(RedisKey key) => await MemoryOf(Multiplexer.GetServer(key));

    private static async Task<(long Used, long Max)> MemoryOf(IServer server)
    {
        var info = (await server.InfoAsync("memory")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return (long.Parse(info["used_memory"], CultureInfo.InvariantCulture), long.Parse(info["maxmemory"], CultureInfo.InvariantCulture));
    }

    /// <summary>Takes every primary <see cref="Headroom"/> past maxmemory with a ballast string of its own.</summary>
    public async Task FillAsync()
    {
        foreach (var server in Primaries())
        {
            // A key in a slot this primary owns (any key on a single server).
            var key = Enumerable.Range(0, 10_000).Select(i => (RedisKey)$"test-ballast-{i}")
                .First(k => !_ballast.Contains(k) && Multiplexer.GetServer(k).EndPoint.Equals(server.EndPoint));
            var (used, max) = await MemoryOf(server);
            await Db.ScriptEvaluateAsync(Ballast, [key], [max - used + Headroom]);
            _ballast.Add(key);
            Assert.True((await MemoryOf(server)).Used > max, $"{server.EndPoint} is over maxmemory");
        }
    }

    /// <summary>Deletes the ballast (DEL works over maxmemory).</summary>
    public async Task EmptyAsync()
    {
        foreach (var key in _ballast) await Db.KeyDeleteAsync(key);
        _ballast.Clear();
    }
}

/// <summary>The classic dialect on one redis-server started with <c>--maxmemory 20mb --maxmemory-policy noeviction</c>.</summary>
public sealed class ClassicFullRedisFixture() : FullRedisFixture(KeyDialect.Classic)
{
    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        var redis = await RedisServer.StartAsync(false, "--maxmemory", "20mb", "--maxmemory-policy", "noeviction");
        return (redis.Endpoint, redis);
    }
}

/// <summary>The cluster dialect on a real three-master Redis Cluster, each master limited to 20 MB (CONFIG SET at start).</summary>
public sealed class ClusterDialectFullRedisFixture() : FullRedisFixture(KeyDialect.Cluster)
{
    protected override async Task<(string, IAsyncDisposable)> StartRedisAsync()
    {
        var cluster = await RedisClusterServer.StartAsync();
        return (cluster.ConnectionString, cluster);
    }
}
