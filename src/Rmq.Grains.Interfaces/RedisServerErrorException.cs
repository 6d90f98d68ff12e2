namespace Rmq;

/// <summary>
/// Redis answered a command or script with an error (<c>WRONGTYPE</c>, <c>BUSY</c>, <c>LOADING</c>, a script
/// error, ...). The server's message is kept word for word in <see cref="ServerMessage"/> and in the message;
/// the Redis client's own exception cannot cross the Orleans boundary to the caller, so it is kept as text.
/// Whether the command ran depends on the error: most (<c>WRONGTYPE</c>, <c>LOADING</c>) mean it did not.
/// </summary>
[GenerateSerializer]
public class RedisServerErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">The Redis endpoint(s) that answered.</param>
    /// <param name="operation">The command or script, and the call it served, e.g. <c>EVALSHA (IQueueGrain.Publish)</c>.</param>
    /// <param name="serverMessage">Redis's error, e.g. <c>WRONGTYPE Operation against a key holding the wrong kind of value</c>.</param>
    public RedisServerErrorException(string endpoint, string operation, string serverMessage)
        : this(endpoint, operation, serverMessage, $"Redis at {endpoint} answered {operation} with an error: {serverMessage}")
    {
    }

    /// <summary>For a subtype with its own wording.</summary>
    protected RedisServerErrorException(string endpoint, string operation, string serverMessage, string message)
        : base(message)
    {
        Endpoint = endpoint;
        Operation = operation;
        ServerMessage = serverMessage;
    }

    /// <summary>The Redis endpoint(s) that answered.</summary>
    [Id(0)]
    public string Endpoint { get; }

    /// <summary>The command or script, and the call it served.</summary>
    [Id(1)]
    public string Operation { get; }

    /// <summary>Redis's error, word for word.</summary>
    [Id(2)]
    public string ServerMessage { get; }
}
