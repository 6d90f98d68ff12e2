using Rmq.Redis;
using StackExchange.Redis;

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

    /// <summary>The silos' <c>Rmq:KeyDialect</c>; must match every Go rmq program sharing the database.</summary>
    public KeyDialect KeyDialect { get; set; } = KeyDialect.Classic;

    /// <summary>The largest payload accepted, in bytes after header encoding; keep it equal to the silos' <c>Rmq:MaxPayloadBytes</c>.</summary>
    public long MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

    /// <summary>Why these options cannot work, or <c>null</c>.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(RedisConnectionString))
            return "RedisConnectionString is empty; give the silos' Rmq:RedisConnectionString, e.g. 'localhost:6379'.";
        try
        {
            if (ConfigurationOptions.Parse(RedisConnectionString).EndPoints.Count == 0)
                return "RedisConnectionString names no endpoint; give host:port, e.g. 'localhost:6379'.";
        }
        catch (ArgumentException e)
        {
            return $"RedisConnectionString cannot be parsed ({e.Message}).";
        }
        if (!Enum.IsDefined(KeyDialect)) return $"KeyDialect is {(int)KeyDialect}; it must be Classic or Cluster.";
        if (MaxPayloadBytes < 1) return $"MaxPayloadBytes is {MaxPayloadBytes}; it must be at least 1.";
        return null;
    }
}
