using Rmq.Redis;

namespace Rmq.Publishing;

/// <summary>How <see cref="RmqPublisher"/> reaches Redis. The defaults match a silo started with no configuration.</summary>
public sealed class RmqPublisherOptions
{
    /// <summary>Default for <see cref="RedisConnectionString"/>, as the silo's <c>Rmq:RedisConnectionString</c>.</summary>
    public const string DefaultRedisConnectionString = "localhost:6379";

    /// <summary>Default for <see cref="MaxPayloadBytes"/>, as the silo's <c>Rmq:MaxPayloadBytes</c> (64 MiB).</summary>
    public const long DefaultMaxPayloadBytes = 64L * 1024 * 1024;

    /// <summary>The Redis the silos use (their <c>Rmq:RedisConnectionString</c>): StackExchange.Redis configuration.</summary>
    public string RedisConnectionString { get; set; } = DefaultRedisConnectionString;

    /// <summary>
    /// With TLS (<c>ssl=true</c> in <see cref="RedisConnectionString"/>): the path of a PEM (or DER) file
    /// holding the CA certificate that signed Redis's certificate, as the silos' <c>Rmq:RedisTlsCaCertificate</c>.
    /// Empty: only the machine's CAs are trusted.
    /// </summary>
    public string? RedisTlsCaCertificate { get; set; }

    /// <summary>The silos' <c>Rmq:KeyDialect</c>; must match every Go rmq program sharing the database.</summary>
    public KeyDialect KeyDialect { get; set; } = KeyDialect.Classic;

    /// <summary>The largest payload accepted, in bytes after header encoding; keep it equal to the silos' <c>Rmq:MaxPayloadBytes</c>.</summary>
    public long MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

    /// <summary>Why these options cannot work, or <c>null</c>.</summary>
    public string? Problem()
    {
        if (RedisConfiguration.ConnectionStringProblem(RedisConnectionString, nameof(RedisConnectionString)) is { } redis) return redis;
        if (RedisConfiguration.TlsCaCertificateProblem(RedisTlsCaCertificate, nameof(RedisTlsCaCertificate), RedisConnectionString, nameof(RedisConnectionString)) is { } ca) return ca;
        if (!Enum.IsDefined(KeyDialect)) return $"KeyDialect is {(int)KeyDialect}; it must be Classic or Cluster.";
        if (MaxPayloadBytes < 1) return $"MaxPayloadBytes is {MaxPayloadBytes}; it must be at least 1.";
        return null;
    }
}
