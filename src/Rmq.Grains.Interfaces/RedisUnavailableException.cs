namespace Rmq;

/// <summary>
/// Redis, the system of record, could not be reached or did not answer in time. After a timeout
/// (<see cref="TimedOut"/>) the command may or may not have run; after a connection failure it was
/// normally never sent, though a connection lost while a reply was due leaves that open as well.
/// </summary>
[GenerateSerializer]
public sealed class RedisUnavailableException : Exception
{
    /// <summary>
    /// Creates the exception. The Redis client's exception is kept as text only: its type cannot
    /// cross the Orleans boundary to the caller.
    /// </summary>
    /// <param name="endpoint">The Redis endpoint(s) that did not answer.</param>
    /// <param name="operation">The command or step that failed, e.g. <c>LPUSH</c>.</param>
    /// <param name="cause">The Redis client's exception, if any.</param>
    /// <param name="timedOut">True when no answer came in time, so the command may or may not have run.</param>
    public RedisUnavailableException(string endpoint, string operation, Exception? cause, bool timedOut = false)
        : base(timedOut
            ? $"Redis at {endpoint} did not answer in time ({operation}: {Summary(cause)}); the command may or may not have run. " +
              "Check that redis-server there is not overloaded or blocked (SLOWLOG GET, a long script, CLIENT PAUSE), " +
              "or allow more time with asyncTimeout in Rmq:RedisConnectionString."
            : $"Redis at {endpoint} is not reachable ({operation} failed: {Summary(cause)}). " +
              "Start redis-server there, or point Rmq at a reachable Redis (Rmq:RedisConnectionString).")
    {
        Endpoint = endpoint;
        TimedOut = timedOut;
    }

    // StackExchange.Redis appends a long diagnostic dump: after the first ';' to a connection failure,
    // from ", next: " on to a timeout.
    private static string Summary(Exception? cause)
    {
        if (cause is null) return "no connection";
        var text = cause.Message.Split(';')[0];
        var dump = text.IndexOf(", next: ", StringComparison.Ordinal);
        return (dump >= 0 ? text[..dump] : text).Trim();
    }

    /// <summary>The Redis endpoint(s) that did not answer.</summary>
    [Id(0)]
    public string Endpoint { get; }

    /// <summary>
    /// True when Redis did not answer in time: unlike a refused connection, the command may have
    /// run, so a retry can apply it twice (a publish, for one, would then be in the queue twice).
    /// </summary>
    [Id(1)]
    public bool TimedOut { get; }
}
