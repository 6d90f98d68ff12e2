using Microsoft.Extensions.Logging;

namespace Rmq.Queue;

internal sealed partial class ConsumingEngine
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: consuming as connection {Connection} (prefetch {PrefetchLimit}, {Consumers} consumers)")]
    private partial void LogOpened(string queue, string connection, int prefetchLimit, int consumers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: its consuming configuration was missing from Redis (flushed?); restored {Consumers} consumer registrations from memory")]
    private partial void LogRestored(string queue, int consumers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: connection {Connection} given up ({Reason}); returning what it held and opening a new one")]
    private partial void LogRecovering(string queue, string connection, PumpEnd reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: given-up connection {Connection} closed; {Returned} deliveries back to ready")]
    private partial void LogRetired(string queue, string connection, long returned);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: stopped consuming")]
    private partial void LogClosed(string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: connection {Connection} is no longer registered (a cleaner took it for dead, or Redis lost its data)")]
    private partial void LogLost(string queue, string connection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: no heartbeat of connection {Connection} succeeded for {Elapsed}; giving it up before its TTL expires")]
    private partial void LogHeartbeatLimit(string queue, string connection, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not close connection {Connection}; its heartbeat will expire and a cleaner returns what it holds")]
    private partial void LogCloseFailed(string queue, string connection, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: Redis failed ({Operation}, {Kind}, {Failures} in a row); retrying with backoff")]
    private partial void LogRedisFault(string queue, string operation, string kind, int failures, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: Redis answers again")]
    private partial void LogRedisBack(string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: unexpected failure in {Operation}; the engine carries on with a new connection")]
    private partial void LogBug(string queue, string operation, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} threw; its deliveries count as Push and it gets no more for a growing backoff")]
    private partial void LogConsumerFailed(string queue, string consumer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} did not answer {Count} deliveries within {Timeout}; outcome unknown, they are redelivered after a backoff")]
    private partial void LogConsumerTimedOut(string queue, string consumer, int count, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue} is stalled: {Reason}")]
    private partial void LogStalled(string queue, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} makes progress again")]
    private partial void LogUnstalled(string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} paused: nothing more is fetched or handed out; {InFlight} deliveries in consumer calls finish, {Prefetched} prefetched go back to the front of ready")]
    private partial void LogPaused(string queue, int inFlight, int prefetched);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} resumed from pause")]
    private partial void LogResumedFromPause(string queue);
}
