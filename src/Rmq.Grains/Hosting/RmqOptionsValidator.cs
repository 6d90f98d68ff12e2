using Microsoft.Extensions.Options;
using Orleans.Runtime;
using StackExchange.Redis;

namespace Rmq.Hosting;

/// <summary>Fails silo start-up with a message naming the wrong <see cref="RmqOptions"/> setting.</summary>
internal sealed class RmqOptionsValidator(IOptions<RmqOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var problem = Problem(options.Value);
        if (problem is not null) throw new OrleansConfigurationException($"Invalid Rmq setting: {problem}");
    }

    /// <summary>The first problem with the options, or <c>null</c>.</summary>
    public static string? Problem(RmqOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.RedisConnectionString))
            return "Rmq:RedisConnectionString is empty; give a StackExchange.Redis configuration such as 'localhost:6379'.";
        try
        {
            var parsed = ConfigurationOptions.Parse(o.RedisConnectionString);
            if (parsed.EndPoints.Count == 0)
                return $"Rmq:RedisConnectionString names no endpoint; give host:port, e.g. 'localhost:6379'.";
        }
        catch (ArgumentException e)
        {
            return $"Rmq:RedisConnectionString cannot be parsed ({e.Message}).";
        }
        if (!Enum.IsDefined(o.KeyDialect))
            return $"Rmq:KeyDialect is {(int)o.KeyDialect}; it must be Classic or Cluster.";
        if (o.HeartbeatTtl < TimeSpan.FromSeconds(1) || o.HeartbeatTtl.Ticks % TimeSpan.TicksPerSecond != 0)
            return $"Rmq:HeartbeatTtl is {o.HeartbeatTtl}; it must be a whole number of seconds, at least 1 s.";
        if (o.HeartbeatInterval <= TimeSpan.Zero || o.HeartbeatInterval * 2 > o.HeartbeatTtl)
            return $"Rmq:HeartbeatInterval is {o.HeartbeatInterval}; it must be positive and at most half of HeartbeatTtl ({o.HeartbeatTtl}).";
        if (o.HeartbeatErrorLimit < 1 || o.HeartbeatInterval * o.HeartbeatErrorLimit >= o.HeartbeatTtl)
            return $"Rmq:HeartbeatErrorLimit is {o.HeartbeatErrorLimit}; it must be at least 1 and HeartbeatInterval × HeartbeatErrorLimit must stay below HeartbeatTtl, so consuming stops before a cleaner declares the connection dead.";
        if (o.MaxPayloadBytes < 1 || o.MaxPayloadBytes > RmqOptions.DefaultMaxPayloadBytes)
            return $"Rmq:MaxPayloadBytes is {o.MaxPayloadBytes}; it must be between 1 and {RmqOptions.DefaultMaxPayloadBytes} (Redis's largest string).";
        if (o.ConsumerRetryDelay < TimeSpan.Zero)
            return $"Rmq:ConsumerRetryDelay is {o.ConsumerRetryDelay}; it must not be negative.";
        if (o.CleanerInterval <= TimeSpan.Zero)
            return $"Rmq:CleanerInterval is {o.CleanerInterval}; it must be positive.";
        return null;
    }
}
