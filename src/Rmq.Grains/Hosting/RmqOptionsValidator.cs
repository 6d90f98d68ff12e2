using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Rmq.Redis;

namespace Rmq.Hosting;

/// <summary>Fails silo start-up with a message naming the wrong <see cref="RmqOptions"/> setting.</summary>
internal sealed class RmqOptionsValidator(IOptions<RmqOptions> options, IOptions<SiloMessagingOptions> messaging) : IConfigurationValidator
{
    /// <summary>The longest pause or timeout accepted: longer ones are mistakes (and overflow date arithmetic).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public void ValidateConfiguration()
    {
        var problem = Problem(options.Value) ?? Problem(options.Value, messaging.Value);
        if (problem is not null) throw new OrleansConfigurationException($"Invalid Rmq setting: {problem}");
    }

    /// <summary>The first problem with the options, or <c>null</c>.</summary>
    public static string? Problem(RmqOptions o)
    {
        if (RedisConfiguration.ConnectionStringProblem(o.RedisConnectionString, "Rmq:RedisConnectionString") is { } redis)
            return redis;
        if (RedisConfiguration.TlsCaCertificateProblem(o.RedisTlsCaCertificate, "Rmq:RedisTlsCaCertificate", o.RedisConnectionString, "Rmq:RedisConnectionString") is { } ca)
            return ca;
        if (!Enum.IsDefined(o.KeyDialect))
            return $"Rmq:KeyDialect is {(int)o.KeyDialect}; it must be Classic or Cluster.";
        if (o.HeartbeatTtl < TimeSpan.FromSeconds(1) || o.HeartbeatTtl.Ticks % TimeSpan.TicksPerSecond != 0)
            return $"Rmq:HeartbeatTtl is {o.HeartbeatTtl}; it must be a whole number of seconds, at least 1 s.";
        if (o.HeartbeatInterval <= TimeSpan.Zero || o.HeartbeatInterval * 2 > o.HeartbeatTtl)
            return $"Rmq:HeartbeatInterval is {o.HeartbeatInterval}; it must be positive and at most half of HeartbeatTtl ({o.HeartbeatTtl}).";
        if (o.HeartbeatErrorLimit < 1 || o.HeartbeatInterval * o.HeartbeatErrorLimit + o.HeartbeatInterval >= o.HeartbeatTtl)
            return $"Rmq:HeartbeatErrorLimit is {o.HeartbeatErrorLimit}; it must be at least 1 and HeartbeatInterval × (HeartbeatErrorLimit + 1) must stay below HeartbeatTtl ({o.HeartbeatTtl}), so a queue gives its connection up before a cleaner declares it dead.";
        if (o.MaxPayloadBytes < 1 || o.MaxPayloadBytes > RmqOptions.RedisMaxStringBytes)
            return $"Rmq:MaxPayloadBytes is {o.MaxPayloadBytes}; it must be between 1 and {RmqOptions.RedisMaxStringBytes} (Redis's largest string).";
        if (o.ConsumerRetryDelay < TimeSpan.Zero)
            return $"Rmq:ConsumerRetryDelay is {o.ConsumerRetryDelay}; it must not be negative.";
        if (o.ConsumerTimeout < o.HeartbeatInterval)
            return $"Rmq:ConsumerTimeout is {o.ConsumerTimeout}; it must be at least HeartbeatInterval ({o.HeartbeatInterval}), the period at which consumer calls are checked for it.";
        if (o.JobLease < o.HeartbeatInterval)
            return $"Rmq:JobLease is {o.JobLease}; it must be at least HeartbeatInterval ({o.HeartbeatInterval}), the period at which leases are checked.";
        if (o.JobMaxRunTime <= o.JobLease || o.JobMaxRunTime > JobContext.LongestMaxRunTime)
            return $"Rmq:JobMaxRunTime is {o.JobMaxRunTime}; it must be longer than JobLease ({o.JobLease}) and at most {JobContext.LongestMaxRunTime}.";
        if (o.ConsumerMaxAttempts < 1)
            return $"Rmq:ConsumerMaxAttempts is {o.ConsumerMaxAttempts}; it must be at least 1.";
        if (o.ConsumerFailureBackoff < TimeSpan.Zero || o.ConsumerMaxBackoff < o.ConsumerFailureBackoff)
            return $"Rmq:ConsumerFailureBackoff is {o.ConsumerFailureBackoff} and Rmq:ConsumerMaxBackoff {o.ConsumerMaxBackoff}; the first must not be negative and the second not smaller than the first.";
        if (o.StallTimeout <= TimeSpan.Zero || o.StallTimeout > MaxDuration)
            return $"Rmq:StallTimeout is {o.StallTimeout}; it must be positive and at most {MaxDuration}.";
        if (o.ConsumerRetryDelay > MaxDuration || o.ConsumerMaxBackoff > MaxDuration)
            return $"Rmq:ConsumerRetryDelay ({o.ConsumerRetryDelay}) and Rmq:ConsumerMaxBackoff ({o.ConsumerMaxBackoff}) must each be at most {MaxDuration}.";
        if (o.CleanerInterval <= TimeSpan.Zero)
            return $"Rmq:CleanerInterval is {o.CleanerInterval}; it must be positive.";
        if (o.RecurringMissedAfter < TimeSpan.FromSeconds(1) || o.RecurringMissedAfter > MaxDuration)
            return $"Rmq:RecurringMissedAfter is {o.RecurringMissedAfter}; it must be at least 1 s and at most {MaxDuration}.";
        return null;
    }

    /// <summary>The first conflict between the options and Orleans' messaging limits, or <c>null</c>.</summary>
    public static string? Problem(RmqOptions o, MessagingOptions messaging)
    {
        // A delivery crosses Orleans to reach a consumer on another silo; room for its other fields.
        var largest = (long)messaging.MaxMessageBodySize - 64 * 1024;
        if (o.MaxPayloadBytes > largest)
            return $"Rmq:MaxPayloadBytes is {o.MaxPayloadBytes}; it must be at most {largest} bytes, so a delivery fits in one Orleans message (Messaging MaxMessageBodySize {messaging.MaxMessageBodySize} less 64 KiB). Lower it, or raise MaxMessageBodySize.";
        if (o.ConsumerTimeout > messaging.ResponseTimeout)
            return $"Rmq:ConsumerTimeout is {o.ConsumerTimeout}; it must be at most Orleans' response timeout ({messaging.ResponseTimeout}), which ends a consumer call anyway.";
        return null;
    }
}
