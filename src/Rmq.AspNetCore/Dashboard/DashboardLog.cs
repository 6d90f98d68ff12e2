using Microsoft.Extensions.Logging;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>The dashboard's log lines: every action, allowed or refused, with where it came from.</summary>
internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Dashboard action {Action} on queue {Queue} from {RemoteAddress}: {Result}")]
    public static partial void Action(ILogger logger, string action, string queue, string remoteAddress, string result);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Dashboard action {Action} on queue {Queue} from {RemoteAddress} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string action, string queue, string remoteAddress, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Dashboard action {Action} on queue {Queue} from {RemoteAddress} failed")]
    public static partial void Failed(ILogger logger, string action, string queue, string remoteAddress, Exception exception);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "Dashboard sample failed: Redis did not answer")]
    public static partial void SampleFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Dashboard sample failed; the charts have a gap until it succeeds again")]
    public static partial void SampleError(ILogger logger, Exception exception);
}
