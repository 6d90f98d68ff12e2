namespace Rmq.Redis;

/// <summary>What the store needs when Redis is full (over <c>maxmemory</c>).</summary>
public sealed partial class RedisConnection
{
    /// <summary>Wraps Redis's <c>OOM</c> refusal of a publish in an exception that says what to do.</summary>
    public RedisFullException Full(string operation, Exception inner) => new(Endpoints, operation, inner);

}
