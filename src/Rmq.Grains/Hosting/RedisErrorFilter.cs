using Rmq.Redis;
using Rmq.Redis.Servers;

namespace Rmq.Hosting;

/// <summary>
/// Around every call into one of Rmq's grains: an exception of the Redis client that escapes the grain is
/// replaced by Rmq's own (<see cref="RedisErrors"/>), which carries the server's message, the command and
/// the call, and the endpoint. Without it the caller gets Orleans's <c>CodecNotFoundException</c> for
/// <c>StackExchange.Redis.RedisServerException</c> instead of what Redis said. Grains of other assemblies
/// (the application's consumers) are left as they are.
/// </summary>
internal sealed class RedisErrorFilter(RedisConnection connection) : IIncomingGrainCallFilter
{
    private static readonly System.Reflection.Assembly RmqGrains = typeof(RedisErrorFilter).Assembly;

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Grain?.GetType().Assembly != RmqGrains)
        {
            await context.Invoke();
            return;
        }
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (RedisErrors.Translate(e, connection.Endpoints, $"{context.InterfaceName}.{context.MethodName}") is { } translated)
        {
            throw translated;
        }
    }
}
