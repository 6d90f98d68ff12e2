using Microsoft.Extensions.Logging;

namespace Rmq.Queue;

internal sealed partial class QueueGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: resuming its persisted consuming configuration (prefetch {PrefetchLimit}, {Consumers} consumers, paused: {Paused})")]
    private partial void LogResumed(string queue, int prefetchLimit, int consumers, bool paused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not read its consuming configuration; will retry")]
    private partial void LogResumeFailed(string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer registration {Consumer} = '{Value}' cannot be decoded; skipped")]
    private partial void LogBadRegistration(string queue, string consumer, string value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not add consumer name {Consumer} to the connection's consumers set (stats only)")]
    private partial void LogConsumerNameFailed(string queue, string consumer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: deactivation could not wait for consumers of connection {Connection}; their deliveries stay in unacked for the cleaner")]
    private partial void LogStopCut(string queue, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: {Consumers} consumers but prefetch limit {PrefetchLimit}; some consumers will idle. Raise the prefetch limit above the number of consumers.")]
    private partial void LogTooManyConsumers(string queue, int consumers, int prefetchLimit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: batch consumer {Consumer} has batch size {BatchSize} above prefetch limit {PrefetchLimit}; its batches never fill and are cut by the timeout")]
    private partial void LogBatchLargerThanPrefetch(string queue, string consumer, int batchSize, int prefetchLimit);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: its stored retry policy cannot be read (written by a newer Rmq, or by hand); the queue runs without one until SetRetryPolicy is called")]
    private partial void LogRetryPolicyUnreadable(string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: its stored flow limits cannot be read (written by a newer Rmq, or by hand); the queue runs without them until SetFlowLimits is called")]
    private partial void LogFlowLimitsUnreadable(string queue);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: its stored dead-letter handler is not a grain id (written by hand?); no handler is called until SetDeadLetterHandler is called")]
    private partial void LogDeadLetterHandlerUnreadable(string queue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: consuming restarted with prefetch {PrefetchLimit}, poll {PollInterval} and {Consumers} consumers")]
    private partial void LogRestarted(string queue, int prefetchLimit, TimeSpan pollInterval, int consumers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: consuming started as declared (prefetch {PrefetchLimit}, {Consumers} consumers, paused: {Paused})")]
    private partial void LogDeclaredStart(string queue, int prefetchLimit, int consumers, bool paused);
}
