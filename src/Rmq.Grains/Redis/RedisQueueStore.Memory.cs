using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// The small writes consuming needs, sent as <c>allow-oom</c> scripts (<see cref="LuaScripts"/>) so they
/// work while Redis is over maxmemory: a full Redis is emptied by consuming, so nothing that consuming
/// depends on may be refused. Each touches one key, so each is legal on Redis Cluster wherever it lives.
/// </summary>
public sealed partial class RedisQueueStore
{
    /// <summary><c>SET key value PX ttl</c>, also over maxmemory.</summary>
    private Task SetWithTtlAsync(IDatabaseAsync db, RedisKey key, RedisValue value, TimeSpan ttl) =>
        db.ScriptEvaluateAsync(redis.Script(LuaScripts.SetWithTtl), [key], [value, (long)ttl.TotalMilliseconds]);

    /// <summary><c>SADD key members…</c>, also over maxmemory.</summary>
    private Task AddToSetAsync(IDatabaseAsync db, RedisKey key, params RedisValue[] members) =>
        db.ScriptEvaluateAsync(redis.Script(LuaScripts.AddToSet), [key], members);

    /// <summary><c>HSET key field value…</c>, also over maxmemory.</summary>
    private Task SetHashFieldsAsync(IDatabaseAsync db, RedisKey key, params HashEntry[] entries)
    {
        var args = new RedisValue[entries.Length * 2];
        for (var i = 0; i < entries.Length; i++)
        {
            args[2 * i] = entries[i].Name;
            args[2 * i + 1] = entries[i].Value;
        }
        return db.ScriptEvaluateAsync(redis.Script(LuaScripts.SetHashFields), [key], args);
    }
}
