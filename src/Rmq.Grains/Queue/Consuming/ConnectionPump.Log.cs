using Microsoft.Extensions.Logging;

namespace Rmq.Queue;

internal sealed partial class ConnectionPump
{
    private readonly ILogger _logger = engine.Logger;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue}: {Missing} finished deliveries were no longer in unacked (returned by a cleaner)")]
    private partial void LogMissing(string queue, long missing);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: outcome batch {Batch} ({Count} outcomes) had been applied by a try whose reply was lost; not applied again")]
    private partial void LogReplayed(string queue, long batch, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: rejected a delivery whose rmq header cannot be decoded: {Error}")]
    private partial void LogFaultyHeader(string queue, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} could not be reached ({ExceptionType}: {Message}); its deliveries go back to ready")]
    private partial void LogConsumerUnreachable(string queue, string consumer, string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: batch consumer {Consumer} returned {Actual} outcomes for {Expected} deliveries; the batch counts as Push")]
    private partial void LogBatchResultMismatch(string queue, string consumer, int expected, int actual);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: {Count} deliveries fetched by a round trip whose reply was lost go back to ready")]
    private partial void LogStrays(string queue, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: {Count} outcomes of connection {Connection} dropped: the connection was given up and its deliveries are consumed again")]
    private partial void LogOutcomeDropped(string queue, int count, string connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: a delivery timed out {Attempts} times (consumer {Consumer}, timeout {Timeout}); moved to rejected")]
    private partial void LogDeadLettered(string queue, string consumer, int attempts, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: Redis stayed unreachable while stopping; {Count} deliveries stay in unacked for the cleaner")]
    private partial void LogStopGaveUp(string queue, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: a delivery failed its attempt {Attempt}, the retry policy's last; moved to rejected. Last error: {LastError}")]
    private partial void LogRetriesExhausted(string queue, int attempt, string lastError);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: the lease of consumer {Consumer}'s job (delivery {DeliveryId}) was not renewed for {Since}; handed out again")]
    private partial void LogLeaseLost(string queue, string consumer, long deliveryId, TimeSpan since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer} failed delivery {DeliveryId} permanently ({Reason}); moved to rejected")]
    private partial void LogPermanentFailure(string queue, string consumer, long deliveryId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer}'s job (delivery {DeliveryId}) ran on silo {Silo}, which has died; handed out again as a lost run while the queue deactivates")]
    private partial void LogJobSiloDead(string queue, string consumer, long deliveryId, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: consumer {Consumer}'s job (delivery {DeliveryId}) ran longer than {MaxRunTime}; moved to rejected")]
    private partial void LogMaxRunTime(string queue, string consumer, long deliveryId, TimeSpan maxRunTime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: consumer {Consumer}'s job (delivery {DeliveryId}) stopped, cancelled: {Reason}")]
    private partial void LogJobCancelled(string queue, string consumer, long deliveryId, JobCancelReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: the outcome of consumer {Consumer}'s job (delivery {DeliveryId}) came after the queue gave the run up ({Reason}); dropped")]
    private partial void LogStaleOutcome(string queue, string consumer, long deliveryId, JobCancelReason reason);
}
