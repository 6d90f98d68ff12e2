using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Silo.Hosting;

/// <summary>
/// Connects once with the configured Redis settings before the silo starts, so a wrong password, a
/// TLS mismatch or a database index the server does not have stops the host with a message naming
/// the setting, instead of failing every queue call later.
/// </summary>
internal static class RedisPreflight
{
    /// <summary>Throws <see cref="SettingsException"/> (wrong setting) or <see cref="InvalidOperationException"/> (Redis unreachable).</summary>
    public static async Task CheckAsync(string connectionString, string setting, CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        var where = string.Join(",", options.EndPoints.Select(e => e.ToString()));
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure || Mentions(e, "NOAUTH", "WRONGPASS", "invalid password"))
        {
            throw new SettingsException($"Invalid setting: {setting}: Redis at {where} refused the credentials (password=/user=): {Innermost(e)}");
        }
        catch (RedisConnectionException e)
        {
            var tls = options.Ssl ? " The setting asks for TLS (ssl=true): does the server listen with TLS on that port?" : "";
            throw new InvalidOperationException(
                $"No Redis answers at {where} ({setting}; {e.FailureType}).{tls} Start redis-server there, or point {setting} at a reachable Redis.", e);
        }
        await using (multiplexer.ConfigureAwait(false))
        {
            try
            {
                // Any keyed command makes StackExchange.Redis SELECT the configured database.
                await multiplexer.GetDatabase().KeyExistsAsync(RedisKeys.Queues).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            // The client refuses an index above the server's 'databases' itself; an older server answers with an error.
            catch (Exception e) when (e is RedisCommandException or RedisServerException
                && (e.Message.Contains("DB index", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("database does not exist", StringComparison.OrdinalIgnoreCase)))
            {
                throw new SettingsException($"Invalid setting: {setting} has defaultDatabase={options.DefaultDatabase}, but the server at {where} says: {e.Message}");
            }
            catch (RedisServerException e) when (Mentions(e, "NOAUTH", "WRONGPASS"))
            {
                throw new SettingsException($"Invalid setting: {setting}: Redis at {where} requires a password (add password=... to the setting): {e.Message}");
            }
        }
    }

    private static bool Mentions(Exception e, params string[] words)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (words.Any(w => x.Message.Contains(w, StringComparison.OrdinalIgnoreCase))) return true;
        return false;
    }

    private static string Innermost(Exception e)
    {
        var x = e;
        while (x.InnerException is not null) x = x.InnerException;
        return x == e ? e.Message : $"{e.Message} ({x.Message})";
    }
}
