namespace Rmq;

/// <summary>Redis, the system of record, could not be reached; nothing was changed by the failed call.</summary>
[GenerateSerializer]
public sealed class RedisUnavailableException : Exception
{
    /// <summary>
    /// Creates the exception. The Redis client's exception is kept as text only: its type cannot
    /// cross the Orleans boundary to the caller.
    /// </summary>
    public RedisUnavailableException(string endpoint, string operation, Exception? cause)
        : base($"Redis at {endpoint} is not reachable ({operation} failed: {Summary(cause)}). " +
               "Start redis-server there, or point Rmq at a reachable Redis (Rmq:RedisConnectionString).")
    {
        Endpoint = endpoint;
    }

    // StackExchange.Redis appends a long diagnostic dump after the first ';'.
    private static string Summary(Exception? cause) => cause?.Message.Split(';')[0].Trim() ?? "no connection";

    /// <summary>The Redis endpoint(s) that did not answer.</summary>
    [Id(0)]
    public string Endpoint { get; }
}
