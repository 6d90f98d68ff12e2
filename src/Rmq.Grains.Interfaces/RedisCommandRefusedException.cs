namespace Rmq;

/// <summary>
/// Redis refused to run a command at all: the connection's ACL user may not (<c>NOPERM</c>), or the endpoint
/// is a read-only replica (<c>READONLY</c>). Nothing of the command ran; retrying will not help until the
/// user's permissions or the endpoint in <c>Rmq:RedisConnectionString</c> change.
/// </summary>
[GenerateSerializer]
public sealed class RedisCommandRefusedException : RedisServerErrorException
{
    /// <summary>Creates the exception; the message says what to change.</summary>
    /// <param name="endpoint">The Redis endpoint(s) that refused.</param>
    /// <param name="operation">The command or script, and the call it served.</param>
    /// <param name="serverMessage">Redis's error, starting with <c>NOPERM</c> or <c>READONLY</c>.</param>
    public RedisCommandRefusedException(string endpoint, string operation, string serverMessage)
        : base(endpoint, operation, serverMessage, $"Redis at {endpoint} refused {operation}: {serverMessage}. {Advice(serverMessage)}")
    {
    }

    /// <summary>True for the errors this exception stands for.</summary>
    public static bool IsRefusal(string serverMessage) =>
        serverMessage.StartsWith("NOPERM", StringComparison.OrdinalIgnoreCase) || serverMessage.StartsWith("READONLY", StringComparison.OrdinalIgnoreCase);

    private static string Advice(string serverMessage) =>
        serverMessage.StartsWith("READONLY", StringComparison.OrdinalIgnoreCase)
            ? "It is a read-only replica: point Rmq:RedisConnectionString at the primary (or list every node so the client finds it)."
            : "The connection's ACL user lacks a permission Rmq needs: grant it, e.g. ACL SETUSER <user> ~rmq::* +@all -@dangerous.";
}
