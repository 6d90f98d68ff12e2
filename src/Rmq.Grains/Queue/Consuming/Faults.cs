using Orleans.Runtime;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>What went wrong, as far as the consuming engine must act on it.</summary>
internal enum FaultKind
{
    /// <summary>Redis could not be reached (connection refused, dropped): back off and retry.</summary>
    RedisUnavailable,

    /// <summary>Redis did not answer in time: the command may have run. Back off, retry, reconcile.</summary>
    RedisTimeout,

    /// <summary>Redis answered with an error (LOADING, BUSY, READONLY, MASTERDOWN, OOM, WRONGTYPE…): back off and retry.</summary>
    RedisServerError,

    /// <summary>Anything else: a defect. Logged as an error; the engine restarts with a new connection.</summary>
    Bug,
}

/// <summary>Classifies exceptions for the consuming engine, so that none escapes its loop unhandled.</summary>
internal static class Faults
{
    /// <summary>The exceptions of a Redis round trip that are worth retrying.</summary>
    public static bool IsRedis(Exception e) => Classify(e) != FaultKind.Bug;

    public static FaultKind Classify(Exception e) => e switch
    {
        RedisUnavailableException { TimedOut: true } => FaultKind.RedisTimeout,
        RedisUnavailableException => FaultKind.RedisUnavailable,
        RedisTimeoutException => FaultKind.RedisTimeout,
        RedisConnectionException => FaultKind.RedisUnavailable,
        // RedisServerException and the rest of the family. RedisCommandException (the client refusing
        // a command, e.g. a cross-slot script) is not a RedisException: a defect, not a Redis fault.
        RedisException => FaultKind.RedisServerError,
        _ => FaultKind.Bug,
    };

    /// <summary>
    /// How a consumer call that threw ended. Only Orleans rejecting the message (its silo is gone)
    /// means the consumer never ran it; a timeout means it may have; anything else, that it ran and failed.
    /// </summary>
    public static CallEnd ClassifyCall(Exception e) => e switch
    {
        OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException => CallEnd.NeverRan,
        TimeoutException => CallEnd.TimedOut,
        _ => CallEnd.Failed,
    };
}
