namespace Rmq;

/// <summary>
/// The server at the configured endpoint answers, but cannot run Rmq: it runs no Lua scripts, the user may not
/// run them, or its scripts are not atomic (Garnet without <c>--lua-transaction-mode</c>). Found once at start
/// by the silo, <c>RmqPublisher</c> and <c>rmq</c>, so nothing starts and then fails silently.
/// </summary>
[GenerateSerializer]
public sealed class RedisServerNotSupportedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">Where the server answered.</param>
    /// <param name="server">Its kind: Redis, Valkey, Garnet or Dragonfly.</param>
    /// <param name="version">Its own version (Garnet's, not the Redis version it imitates).</param>
    /// <param name="missing">What it lacks, in words a user can act on.</param>
    public RedisServerNotSupportedException(string endpoint, string server, string version, string missing)
        : base($"Rmq cannot run on {server} {version} at {endpoint}: {missing}.")
    {
        Endpoint = endpoint;
        Server = server;
        Version = version;
        Missing = missing;
    }

    /// <summary>Where the server answered.</summary>
    [Id(0)]
    public string Endpoint { get; }

    /// <summary>Its kind: Redis, Valkey, Garnet or Dragonfly.</summary>
    [Id(1)]
    public string Server { get; }

    /// <summary>Its own version.</summary>
    [Id(2)]
    public string Version { get; }

    /// <summary>What it lacks.</summary>
    [Id(3)]
    public string Missing { get; }
}
