using Rmq.Redis;

namespace Rmq.Hosting;

/// <summary>Settings of the Rmq grains in a silo. Bound from the <c>Rmq</c> configuration section by the host.</summary>
public sealed class RmqOptions
{
    /// <summary>Default for <see cref="RedisConnectionString"/>.</summary>
    public const string DefaultRedisConnectionString = "localhost:6379";

    /// <summary>Default for <see cref="HeartbeatInterval"/>: 1 s, as Go rmq.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="HeartbeatTtl"/>: 60 s, as Go rmq.</summary>
    public static readonly TimeSpan DefaultHeartbeatTtl = TimeSpan.FromSeconds(60);

    /// <summary>Default for <see cref="HeartbeatErrorLimit"/>: 45, as Go rmq.</summary>
    public const int DefaultHeartbeatErrorLimit = 45;

    /// <summary>Default for <see cref="MaxPayloadBytes"/>: 512 MB, Redis's largest string.</summary>
    public const long DefaultMaxPayloadBytes = 512L * 1024 * 1024;

    /// <summary>Default for <see cref="ConsumerRetryDelay"/>.</summary>
    public static readonly TimeSpan DefaultConsumerRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="CleanerInterval"/>.</summary>
    public static readonly TimeSpan DefaultCleanerInterval = TimeSpan.FromSeconds(5);

    /// <summary>StackExchange.Redis configuration string (host:port, password=, ssl=, defaultDatabase=).</summary>
    public string RedisConnectionString { get; set; } = DefaultRedisConnectionString;

    /// <summary>Key dialect; must match every Go rmq program sharing the database. Default <see cref="KeyDialect.Classic"/>.</summary>
    public KeyDialect KeyDialect { get; set; } = KeyDialect.Classic;

    /// <summary>How often a consuming queue refreshes its heartbeat key. Must be well below <see cref="HeartbeatTtl"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>The heartbeat key's TTL; a cleaner treats the connection as dead once it expires. Whole seconds.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = DefaultHeartbeatTtl;

    /// <summary>Consecutive heartbeat failures after which the queue stops consuming (before its TTL can expire).</summary>
    public int HeartbeatErrorLimit { get; set; } = DefaultHeartbeatErrorLimit;

    /// <summary>The largest payload accepted by publish, in bytes (after header encoding).</summary>
    public long MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

    /// <summary>
    /// Whether the cleaner runs by itself (its timer, and a pass on every membership change). When
    /// off, <see cref="ICleanerGrain.Clean"/> still runs a pass on demand. Default true.
    /// </summary>
    public bool CleanerEnabled { get; set; } = true;

    /// <summary>How often the cleaner runs a pass. Dead silos are handled at once regardless.</summary>
    public TimeSpan CleanerInterval { get; set; } = DefaultCleanerInterval;

    /// <summary>How long a consumer that could not be reached is left alone before it gets deliveries again.</summary>
    public TimeSpan ConsumerRetryDelay { get; set; } = DefaultConsumerRetryDelay;
}
