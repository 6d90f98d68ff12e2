using StackExchange.Redis;

namespace Rmq.Redis.Servers;

/// <summary>
/// The one mapping from StackExchange.Redis's exceptions to Rmq's serializable ones, so that none of the
/// client's types has to cross an Orleans boundary (it has no codec there): a connection failure or timeout
/// becomes <see cref="RedisUnavailableException"/>, <c>OOM</c> <see cref="RedisFullException"/>,
/// <c>NOPERM</c> and <c>READONLY</c> <see cref="RedisCommandRefusedException"/>, any other server error
/// (and the client's own refusal, e.g. a cross-slot script) <see cref="RedisServerErrorException"/>.
/// </summary>
public static class RedisErrors
{
    /// <summary>Rmq's exception for <paramref name="e"/>, or null when it is not one of the Redis client's.</summary>
    /// <param name="e">What was thrown.</param>
    /// <param name="endpoints">The Redis endpoint(s), for the message.</param>
    /// <param name="call">What was being done when it failed, e.g. <c>IQueueGrain.Publish</c>.</param>
    public static Exception? Translate(Exception e, string endpoints, string call)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerException!;
        var operation = Command(e) is { } command ? $"{command} ({call})" : call;
        return e switch
        {
            RedisTimeoutException or RedisConnectionException => new RedisUnavailableException(endpoints, operation, e, timedOut: e is TimeoutException),
            RedisServerException when PublishCommands.IsRedisFull(e) => new RedisFullException(endpoints, operation, e),
            RedisServerException when RedisCommandRefusedException.IsRefusal(e.Message) => new RedisCommandRefusedException(endpoints, operation, e.Message),
            RedisServerException or RedisCommandException or RedisException => new RedisServerErrorException(endpoints, operation, e.Message),
            _ => null,
        };
    }

    // StackExchange.Redis names the command in the exception's data ("redis-command") on server errors,
    // and in the message ("command=EVALSHA") on timeouts.
    private static string? Command(Exception e)
    {
        foreach (var key in new[] { "redis-command", "Redis-Command" })
            if (e.Data.Contains(key) && e.Data[key] is { } value) return value.ToString();
        var at = e.Message.IndexOf("command=", StringComparison.Ordinal);
        if (at < 0) return null;
        var end = e.Message.IndexOfAny([',', ' ', ';'], at);
        return e.Message[(at + "command=".Length)..(end < 0 ? e.Message.Length : end)];
    }
}
