using Rmq.Redis.Lua;
using StackExchange.Redis;

namespace Rmq.Redis.Servers;

/// <summary>
/// Finds out, once at start, which server Rmq talks to and whether it runs Rmq's scripts as Rmq needs:
/// <c>INFO server</c> names it; a harmless script with <c>#!lua flags=allow-oom</c> shows whether it parses
/// script flags; on a server other than Redis and Valkey a second harmless script shows whether scripts are
/// atomic (no other client's command runs in the middle of one), which every Rmq script assumes — Garnet's
/// are only with <c>--lua-transaction-mode</c>. The silo, <c>RmqPublisher</c> and <c>rmq</c> call it.
/// </summary>
internal static class ServerCheck
{
    /// <summary>Returns 1 on a server that accepts the allow-oom flag; a compile error near '#' elsewhere.</summary>
    internal static readonly RmqScript ScriptFlagsProbe = RmqScript.Unchecked("ScriptFlagsProbe", allowOom: true, "return 1");

    /// <summary>How long <see cref="AtomicityProbe"/> watches its key, in microseconds.</summary>
    private const int ProbeWindowMicroseconds = 200_000;

    /// <summary>
    /// KEYS[1] a key of its own. Sets it to '0', then for <see cref="ProbeWindowMicroseconds"/> reads it back while
    /// another connection keeps setting it to '1'. Returns 1 when nothing changed it meanwhile (the script ran
    /// alone: atomic), 0 when another client's write landed in the middle.
    /// </summary>
    internal static readonly RmqScript AtomicityProbe = RmqScript.Unchecked("AtomicityProbe", allowOom: false, $$"""
        redis.call('SET', KEYS[1], '0')
        local t0 = redis.call('TIME')
        local start = t0[1] * 1000000 + t0[2]
        while true do
          if redis.call('GET', KEYS[1]) ~= '0' then return 0 end
          local t = redis.call('TIME')
          if t[1] * 1000000 + t[2] - start > {{ProbeWindowMicroseconds}} then return 1 end
        end
        """);

    /// <summary>
    /// Connects with <paramref name="options"/> (its own short-lived connections) and checks every connected
    /// primary. Throws <see cref="RedisServerNotSupportedException"/> when one cannot run Rmq, and lets the
    /// client's connection errors through for the caller to word.
    /// </summary>
    public static async Task<IReadOnlyList<ServerCapabilities>> CheckAsync(ConfigurationOptions options, CancellationToken cancellationToken = default)
    {
        options = options.Clone();
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        // StackExchange.Redis refuses INFO unless admin commands are allowed; this connection sends INFO and probes only.
        options.AllowAdmin = true;
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        await using (multiplexer.ConfigureAwait(false))
        {
            var found = new List<ServerCapabilities>();
            foreach (var server in multiplexer.GetServers().Where(s => !s.IsReplica && s.IsConnected))
                found.Add(await CheckServerAsync(server, options, cancellationToken).ConfigureAwait(false));
            if (found.FirstOrDefault(c => c.Missing is not null) is { } refused)
                throw new RedisServerNotSupportedException(refused.Server.Endpoint, refused.Server.Kind.ToString(), refused.Server.Version, refused.Missing!);
            return found;
        }
    }

    /// <summary>Names one server and probes it; <paramref name="options"/> opens the second connection the atomicity probe needs.</summary>
    public static async Task<ServerCapabilities> CheckServerAsync(IServer server, ConfigurationOptions options, CancellationToken cancellationToken)
    {
        var endpoint = server.EndPoint.ToString() ?? "?";
        RedisServerInfo info;
        try
        {
            var sections = await server.InfoAsync("server").WaitAsync(cancellationToken).ConfigureAwait(false);
            info = RedisServerInfo.Parse(sections.SelectMany(g => g), endpoint);
        }
        // INFO refused (NOPERM, renamed): the version the client read at connect is all there is.
        catch (RedisServerException)
        {
            info = new(RedisServerKind.Redis, server.Version.ToString(), server.Version.ToString(), endpoint);
        }

        bool flags;
        try
        {
            flags = await SupportsScriptFlagsAsync(server).WaitAsync(cancellationToken).ConfigureAwait(false) ?? info.Kind is RedisServerKind.Redis or RedisServerKind.Valkey && server.Version.Major >= 7;
        }
        catch (RedisServerException e)
        {
            return new(info, false, null, NoScripts(info, e));
        }

        bool? atomic = info.Kind is RedisServerKind.Redis or RedisServerKind.Valkey ? true : null;
        if (atomic is null)
        {
            try
            {
                atomic = await ScriptsAreAtomicAsync(server, options, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOPERM", StringComparison.OrdinalIgnoreCase))
            {
                // Not allowed to probe: assume the best and say so in Describe (AtomicScripts null).
            }
        }
        var missing = atomic == false
            ? "its Lua scripts are not atomic (another client's command ran in the middle of one), and every Rmq script relies on running alone as in Redis" +
              (info.Kind == RedisServerKind.Garnet ? "; start garnet-server with --lua --lua-transaction-mode" : "")
            : null;
        return new(info, flags, atomic, missing);
    }

    /// <summary>
    /// True when the server runs a script whose first line is <c>#!lua flags=allow-oom</c>, false when it cannot
    /// parse that line (Redis 6, Garnet), null when it refuses for another reason it shares with every script
    /// (thrown instead: no Lua, NOPERM) — see <see cref="CheckServerAsync"/>.
    /// </summary>
    public static async Task<bool?> SupportsScriptFlagsAsync(IServer server)
    {
        try
        {
            var result = await server.ExecuteAsync("EVAL", ScriptFlagsProbe.Text, 0).ConfigureAwait(false);
            return (long)result == 1;
        }
        catch (RedisServerException e) when (IsShebangRejected(e.Message))
        {
            return false;
        }
    }

    /// <summary>The compile errors a server without script flags gives for the shebang line.</summary>
    public static bool IsShebangRejected(string message) =>
        message.Contains("near '#'", StringComparison.Ordinal)
        || (message.Contains("Compil", StringComparison.OrdinalIgnoreCase) && message.Contains('#'));

    private static async Task<bool> ScriptsAreAtomicAsync(IServer server, ConfigurationOptions options, CancellationToken cancellationToken)
    {
        var key = $"rmq::server-check::{Guid.NewGuid():N}";
        var writerOptions = options.Clone();
        writerOptions.EndPoints.Clear();
        writerOptions.EndPoints.Add(server.EndPoint);
        var writer = await ConnectionMultiplexer.ConnectAsync(writerOptions).WaitAsync(cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            var db = writer.GetDatabase();
            try
            {
                var probe = server.ExecuteAsync("EVAL", AtomicityProbe.TextWithoutFlags, 1, key);
                // On an atomic server each SET waits until the script is done; otherwise one lands inside it.
                while (!probe.IsCompleted)
                {
                    await db.StringSetAsync(key, "1").ConfigureAwait(false);
                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }
                return (long)await probe.ConfigureAwait(false) == 1;
            }
            finally
            {
                await db.KeyDeleteAsync(key).ConfigureAwait(false);
            }
        }
    }

    private static string NoScripts(RedisServerInfo info, RedisServerException e)
    {
        var refused = e.Message.StartsWith("NOPERM", StringComparison.OrdinalIgnoreCase)
            ? "the connection's user may not run Lua scripts"
            : "it does not run Lua scripts";
        var hint = info.Kind == RedisServerKind.Garnet ? "; start garnet-server with --lua --lua-transaction-mode" : "";
        return $"{refused} ({e.Message}), and Rmq needs EVAL and EVALSHA{hint}";
    }
}
