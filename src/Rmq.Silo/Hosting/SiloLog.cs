using Microsoft.Extensions.Logging;

namespace Rmq.Silo.Hosting;

/// <summary>The host's own log lines. Passwords never appear: the Redis configuration is logged redacted.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Rmq silo {Silo} active: gateway port {GatewayPort}, HTTP {Urls}, {Clustering} clustering, Redis {Redis}. Ctrl-C or SIGTERM stops it.")]
    public static partial void Active(ILogger logger, string silo, int gatewayPort, string urls, ClusteringMode clustering, string redis);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rmq silo {Silo} stopped")]
    public static partial void Stopped(ILogger logger, string silo);
}
