using Microsoft.Extensions.Logging;

namespace Rmq.Queue;

internal sealed partial class ConsumingSession
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: Redis failed applying outcomes / fetching ({Failures} in a row); retrying")]
    private partial void LogRedisFailure(string queue, int failures, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue}: {Missing} finished deliveries were no longer in unacked (returned by a cleaner)")]
    private partial void LogMissing(string queue, long missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: rejected a delivery whose rmq header cannot be decoded: {Error}")]
    private partial void LogFaultyHeader(string queue, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} threw; its deliveries count as Push")]
    private partial void LogConsumerFailed(string queue, string consumer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} could not be reached ({ExceptionType}: {Message}); its deliveries go back to ready")]
    private partial void LogConsumerUnreachable(string queue, string consumer, string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: batch consumer {Consumer} returned {Actual} outcomes for {Expected} deliveries; the batch counts as Push")]
    private partial void LogBatchResultMismatch(string queue, string consumer, int expected, int actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: {Count} deliveries fetched by a round trip whose reply was lost go back to ready")]
    private partial void LogStrays(string queue, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: Redis stayed unreachable while stopping; {Count} deliveries stay in unacked for the cleaner")]
    private partial void LogStopGaveUp(string queue, int count);
}
