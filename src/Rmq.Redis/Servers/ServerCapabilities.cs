namespace Rmq.Redis.Servers;

/// <summary>
/// What one server can do for Rmq, found by running harmless scripts on it (see <see cref="ServerCheck"/>).
/// </summary>
/// <param name="Server">The server, from <c>INFO server</c>.</param>
/// <param name="ScriptFlags">Whether it parses a script's <c>#!lua flags=allow-oom</c> first line (Redis 7+, Valkey);
/// without them Rmq sends its scripts without that line, and consuming stops while the server is at maxmemory.</param>
/// <param name="AtomicScripts">Whether a script runs with no other client's command in between, as Rmq's scripts assume
/// (Garnet only with <c>--lua-transaction-mode</c>); null when it could not be probed (the probe was refused).</param>
/// <param name="Missing">Why Rmq cannot run on it, in one sentence; null when it can.</param>
public sealed record ServerCapabilities(RedisServerInfo Server, bool ScriptFlags, bool? AtomicScripts, string? Missing)
{
    /// <summary>One line for logs and <c>rmq</c>: the server, its endpoint and what it lacks.</summary>
    public string Describe() =>
        $"{Server.Display} at {Server.Endpoint}" +
        (ScriptFlags ? "" : " (no script flags: scripts are sent without '#!lua flags=allow-oom'; consuming stops at maxmemory)") +
        (Missing is null ? "" : $": {Missing}");
}
