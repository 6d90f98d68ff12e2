namespace Rmq;

/// <summary>
/// Redis refused a publish because it is full: its memory use is over <c>maxmemory</c> and its
/// <c>maxmemory-policy</c> is <c>noeviction</c> (the policy a queue needs, so nothing is evicted
/// silently). Nothing of the refused publish was added. Consuming goes on while Redis is full:
/// fetches, acks, rejects, pushes, heartbeats and the cleaner still work, and each ack frees memory.
/// </summary>
[GenerateSerializer]
public sealed class RedisFullException : Exception
{
    /// <summary>
    /// Creates the exception. The Redis client's exception is kept as text only: its type cannot
    /// cross the Orleans boundary to the caller.
    /// </summary>
    /// <param name="endpoint">The Redis endpoint(s) that refused the command.</param>
    /// <param name="operation">The command that was refused, e.g. <c>LPUSH</c>.</param>
    /// <param name="cause">The Redis client's exception (Redis's <c>OOM</c> error), if any.</param>
    public RedisFullException(string endpoint, string operation, Exception? cause)
        : base($"Redis at {endpoint} is full and refused {operation} ({Summary(cause)}); nothing was published. " +
               "Consume or purge queues to free memory (PurgeReady/PurgeRejected, `rmq purge`), " +
               "or give Redis more memory (CONFIG SET maxmemory <bytes>, or maxmemory in redis.conf). " +
               "Consuming and acking go on meanwhile.")
    {
        Endpoint = endpoint;
    }

    private static string Summary(Exception? cause) =>
        cause is null ? "OOM" : cause.Message.Split(';')[0].Trim();

    /// <summary>The Redis endpoint(s) that refused the command.</summary>
    [Id(0)]
    public string Endpoint { get; }
}
