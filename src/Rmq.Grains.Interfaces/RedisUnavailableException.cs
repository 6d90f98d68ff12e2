namespace Rmq;

/// <summary>Redis, the system of record, could not be reached; nothing was changed by the failed call.</summary>
[GenerateSerializer]
public sealed class RedisUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisUnavailableException(string endpoint, string operation, Exception? inner)
        : base($"Redis at {endpoint} is not reachable ({operation} failed: {inner?.Message ?? "no connection"}). " +
               "Start redis-server there, or point Rmq at a reachable Redis (Rmq:Redis:ConnectionString).", inner)
    {
        Endpoint = endpoint;
    }

    /// <summary>The Redis endpoint(s) that did not answer.</summary>
    [Id(0)]
    public string Endpoint { get; }
}
