using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rmq.Silo.Hosting;

/// <summary>
/// Checks, before the silo starts, the Redis settings a queue depends on, on every primary (a Redis
/// Cluster has several): <c>maxmemory-policy</c> must be <c>noeviction</c> — any other policy lets a full
/// Redis delete keys silently (whole queue lists, or heartbeats, so live connections look dead) — and
/// with AOF off, a restart loses what was written since the last snapshot. Read with <c>INFO</c>, which
/// managed Redis and restricted ACL users usually allow where <c>CONFIG GET</c> is refused; when even
/// <c>INFO</c> is refused the check is logged as skipped and the silo starts.
/// </summary>
internal static partial class RedisSettingsCheck
{
    /// <summary>The setting that lets a silo start on an evicting Redis (with a warning).</summary>
    public const string AllowEvictingSetting = "Rmq:AllowEvictingRedis";

    /// <summary>Reads <see cref="AllowEvictingSetting"/> (default false); throws <see cref="SettingsException"/> for a value that is not a boolean.</summary>
    public static bool AllowEvicting(IConfiguration configuration)
    {
        try
        {
            return configuration.GetValue(AllowEvictingSetting, false);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"Invalid setting: {e.Message} {AllowEvictingSetting} must be true or false.");
        }
    }

    /// <summary>
    /// Connects with <paramref name="options"/>, reads <c>INFO memory</c> and <c>INFO persistence</c> of every
    /// primary, and throws <see cref="SettingsException"/> for an evicting policy unless
    /// <paramref name="allowEvicting"/>; logs the rest. Call after the connection itself was checked.
    /// </summary>
    public static async Task CheckAsync(ConfigurationOptions options, string setting, bool allowEvicting, ILogger logger, CancellationToken cancellationToken)
    {
        options = options.Clone();
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        // StackExchange.Redis counts INFO as an admin command and refuses to send it otherwise. This
        // connection sends INFO and nothing else, and closes again.
        options.AllowAdmin = true;
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        // The preflight has just connected: a failure now is passing, and the silo's own connection retries.
        catch (RedisConnectionException e)
        {
            LogNotChecked(logger, string.Join(",", options.EndPoints.Select(p => p.ToString())), e);
            return;
        }
        await using (multiplexer.ConfigureAwait(false))
        {
            foreach (var server in multiplexer.GetServers().Where(s => !s.IsReplica && s.IsConnected))
                await CheckServerAsync(server, setting, allowEvicting, logger, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CheckServerAsync(IServer server, string setting, bool allowEvicting, ILogger logger, CancellationToken cancellationToken)
    {
        var endpoint = server.EndPoint.ToString() ?? "?";
        Dictionary<string, string> memory, persistence;
        try
        {
            memory = await InfoAsync(server, "memory").WaitAsync(cancellationToken).ConfigureAwait(false);
            persistence = await InfoAsync(server, "persistence").WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        // NOPERM (an ACL user without INFO), a renamed or disabled INFO, a slow server: not a reason to stay down.
        catch (Exception e) when (e is RedisException or RedisCommandException or TimeoutException)
        {
            LogNotChecked(logger, endpoint, e);
            return;
        }

        if (memory.TryGetValue("maxmemory_policy", out var policy) && policy != "noeviction")
        {
            var maxmemory = memory.GetValueOrDefault("maxmemory", "?");
            if (!allowEvicting)
                throw new SettingsException(
                    $"Redis at {endpoint} ({setting}) has maxmemory-policy {policy} (maxmemory {maxmemory}): {WhatEvicts(policy)} " +
                    "Set it to noeviction (CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in redis.conf), " +
                    $"so a full Redis refuses publishes instead; or set {AllowEvictingSetting}=true to start anyway.");
            LogEvictingAllowed(logger, endpoint, policy, WhatEvicts(policy));
        }
        if (persistence.TryGetValue("aof_enabled", out var aof) && aof == "0")
            LogAofOff(logger, endpoint);
    }

    private static string WhatEvicts(string policy) => policy.StartsWith("volatile-", StringComparison.Ordinal)
        ? "when it is full it deletes keys that have a TTL, such as connection heartbeats — a live connection then looks dead and its unacked deliveries are delivered twice."
        : "when it is full it deletes keys silently, and whole queue lists (ready, unacked, rejected) with every delivery in them can vanish.";

    private static async Task<Dictionary<string, string>> InfoAsync(IServer server, string section) =>
        (await server.InfoAsync(section).ConfigureAwait(false)).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
