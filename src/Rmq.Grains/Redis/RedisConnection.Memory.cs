using Rmq.Redis.Lua;
using Rmq.Redis.Servers;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>What the store needs to keep consuming while Redis is full (over <c>maxmemory</c>).</summary>
public sealed partial class RedisConnection
{
    private static readonly Version ScriptFlagsVersion = new(7, 0);
    // 0 not known yet, 1 every server parses script flags, 2 some server does not (Redis 6, Garnet).
    // An int, so that threads racing on the first scripts read and write it whole.
    private int _scriptFlags;

    /// <summary>Wraps Redis's <c>OOM</c> refusal of a publish in an exception that says what to do.</summary>
    public RedisFullException Full(string operation, Exception inner) => new(Endpoints, operation, inner);

    /// <summary>
    /// The text to send for one of Rmq's scripts: with its shebang (<c>#!lua flags=allow-oom</c>, or
    /// <c>#!lua</c>) on servers that ran <see cref="ServerCheck.ScriptFlagsProbe"/> at connect (Redis 7+,
    /// Valkey), without that line on the others (Redis 6, Garnet, which reports Redis 7.4 yet cannot parse
    /// it); while no probe has answered, by the Redis version the server reports.
    /// Without the flag an older Redis refuses a script over maxmemory at its first memory-growing command
    /// if nothing was written before it; the scripts then fail whole and are retried.
    /// </summary>
    internal string Script(RmqScript script)
    {
        if (script.Shebang is null) return script.Text;
        if (_scriptFlags == 0 && ServersSupportScriptFlags() is { } supported) _scriptFlags = supported ? 1 : 2;
        return _scriptFlags == 2 ? script.TextWithoutFlags : script.Text;
    }

    /// <summary>
    /// Runs the harmless flagged script on every connected primary once the multiplexer is up. Any answer
    /// but a clear yes or no (no server connected yet, NOPERM) leaves the choice to the version rule below.
    /// </summary>
    private async Task ProbeScriptFlagsAsync()
    {
        var servers = _multiplexer?.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToArray() ?? [];
        if (servers.Length == 0) return;
        var supported = true;
        foreach (var server in servers)
        {
            bool? flags;
            try
            {
                flags = await ServerCheck.SupportsScriptFlagsAsync(server).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return;
            }
            if (flags is null) return;
            supported &= flags.Value;
        }
        _scriptFlags = supported ? 1 : 2;
        LogScriptFlags(Endpoints, supported);
    }

    private Task<string?>? _servers;

    /// <summary>
    /// The servers behind the configured endpoints, described once (<see cref="ServerCheck"/>, on connections
    /// of its own) and kept: e.g. <c>Garnet 2.2.12 at 127.0.0.1:6600 (no script flags: …)</c>. Null when the
    /// check could not run; it is tried again on the next call then.
    /// </summary>
    public async Task<string?> DescribeServersAsync()
    {
        var described = _servers ??= DescribeAsync();
        var text = await described.ConfigureAwait(false);
        if (text is null) _servers = null;
        return text;
    }

    private async Task<string?> DescribeAsync()
    {
        try
        {
            var servers = await ServerCheck.CheckAsync(_configuration).ConfigureAwait(false);
            return servers.Count == 0 ? null : string.Join("; ", servers.Select(s => s.Describe()));
        }
        catch (RedisServerNotSupportedException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    // Null while no server is connected (the version is not known yet): the shebang is kept, and the
    // question is asked again next time.
    private bool? ServersSupportScriptFlags()
    {
        var servers = _multiplexer?.GetServers().Where(s => s.IsConnected).ToArray() ?? [];
        if (servers.Length == 0) return null;
        return servers.All(s => s.Version >= ScriptFlagsVersion);
    }
}
