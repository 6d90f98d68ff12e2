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
    /// <summary>The setting that names the CA certificate to trust for TLS.</summary>
    private const string CaSetting = "Rmq:RedisTlsCaCertificate";

    /// <summary>Throws <see cref="SettingsException"/> (wrong setting) or <see cref="InvalidOperationException"/> (Redis unreachable).</summary>
    public static async Task CheckAsync(string connectionString, string setting, string? tlsCaCertificate, CancellationToken cancellationToken)
    {
        var options = RedisConfiguration.Create(connectionString, tlsCaCertificate);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 5000);
        var where = RedisConfiguration.Endpoints(options);
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisConnectionException e) when (RedisConfiguration.TlsFailure(e) is { } tls)
        {
            var trust = string.IsNullOrWhiteSpace(tlsCaCertificate)
                ? $"Set {CaSetting} to the path of the CA certificate (PEM) that signed it, or install that CA on this machine."
                : $"It is not signed by the CA in {CaSetting} ('{tlsCaCertificate}'), or it does not name the host in {setting}: set {CaSetting} to the CA that signed Redis's certificate.";
            throw new SettingsException($"Invalid setting: {setting}: the TLS certificate of Redis at {where} is not trusted ({tls.Message}). {trust}");
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
            if (!string.IsNullOrEmpty(options.User)) await CheckUserAsync(multiplexer, options.User, setting, where, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// When AUTH with user= and password= fails, StackExchange.Redis goes on as Redis's <c>default</c>
    /// user — which on many servers needs no password and may do everything. Asking who we are catches
    /// that; a user not allowed to ask (NOPERM) is a restricted user, so not the fallback.
    /// </summary>
    private static async Task CheckUserAsync(ConnectionMultiplexer multiplexer, string user, string setting, string where, CancellationToken cancellationToken)
    {
        string? connectedAs;
        try
        {
            connectedAs = (string?)await multiplexer.GetDatabase().ExecuteAsync("ACL", "WHOAMI").WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException)
        {
            return; // NOPERM, or a Redis before 6 that has no ACL users at all
        }
        if (connectedAs is not null && connectedAs != user)
            throw new SettingsException(
                $"Invalid setting: {setting}: Redis at {where} refused user '{user}' with the configured password (the connection fell back to user '{connectedAs}'); check user= and password=.");
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
