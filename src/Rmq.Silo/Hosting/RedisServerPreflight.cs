using Microsoft.Extensions.Logging;
using Rmq.Redis;
using Rmq.Redis.Servers;
using StackExchange.Redis;

namespace Rmq.Silo.Hosting;

/// <summary>
/// Names the server behind the silo's Redis setting and checks that it runs Rmq's scripts as Rmq needs
/// (<see cref="ServerCheck"/>), before the silo starts: a server that cannot stops the host with exit code 2
/// and a message naming the server, its version and what it lacks, instead of "active" and then every
/// script failing. Call after <see cref="RedisPreflight"/> has shown that the server answers.
/// </summary>
internal static partial class RedisServerPreflight
{
    /// <summary>Throws <see cref="RedisServerNotSupportedException"/> for a server Rmq cannot run on; logs each server otherwise.</summary>
    public static async Task CheckAsync(ConfigurationOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<ServerCapabilities> servers;
        try
        {
            servers = await ServerCheck.CheckAsync(options, cancellationToken).ConfigureAwait(false);
        }
        // The preflight has just connected: a connection failure now is passing, and the silo's own connection retries.
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            LogNotChecked(logger, RedisConfiguration.Endpoints(options), e);
            return;
        }
        foreach (var server in servers)
        {
            if (server.ScriptFlags) LogServer(logger, server.Describe());
            else LogServerWithoutFlags(logger, server.Describe());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis server: {Server}")]
    private static partial void LogServer(ILogger logger, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis server: {Server}")]
    private static partial void LogServerWithoutFlags(ILogger logger, string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check which server answers at {Endpoint}; starting without knowing whether it runs Rmq's scripts")]
    private static partial void LogNotChecked(ILogger logger, string endpoint, Exception exception);
}
