using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// How a delayed or scheduled publish, and its cancellation, reach Redis — the same for the queue grain
/// (through its store) and the client library's direct publisher. The delivery waits in the queue's
/// <see cref="RedisKeys.Scheduled"/> ZSET (id, due time) with its element in
/// <see cref="RedisKeys.ScheduledElements"/>; the queue's scheduler and the cleaner move it to ready when due.
/// </summary>
internal static class ScheduleCommands
{
    /// <summary>How errors of a scheduled publish name the command.</summary>
    public const string ScheduleOperation = "ZADD + HSET (PublishDelayed/PublishAt)";

    /// <summary>How errors of a cancel name the command.</summary>
    public const string CancelOperation = "ZREM + HDEL (CancelScheduled)";

    /// <summary>
    /// Schedules deliveries atomically. KEYS[1] the scheduled ZSET, KEYS[2] the elements HASH, KEYS[3]
    /// ready — all in the queue's hash slot. ARGV[1] 'd' (ARGV[2] is a delay in ms, counted from Redis's
    /// clock, so publishers' clocks do not matter) or 'a' (ARGV[2] is a due time in unix ms), ARGV[3..]
    /// pairs (id, element). Returns the due time in unix ms, or 0 when it was not in the future: then the
    /// elements were pushed to ready at once, in argument order (as a batch publish).
    /// </summary>
    /// <remarks>
    /// The time is Redis's (<c>TIME</c>; Redis 5+ replicates a script's effects, so that is allowed before
    /// writes). Every key is checked to be of its type first: Redis does not undo a script that fails
    /// halfway, and an element in the hash without its ZSET member would never be moved. No
    /// <c>allow-oom</c>: a full Redis refuses a scheduled publish as every publish. Atomic, so a silo or
    /// publisher dying around it leaves the whole schedule or none of it.
    /// </remarks>
    public const string ScheduleScript = """
        local types = { 'zset', 'hash', 'list' }
        for k = 1, 3 do
          local t = redis.call('TYPE', KEYS[k])['ok']
          if t ~= 'none' and t ~= types[k] then
            return redis.error_reply('WRONGTYPE ' .. KEYS[k] .. ' is a ' .. t .. ', not a ' .. types[k])
          end
        end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local due = tonumber(ARGV[2])
        if ARGV[1] == 'd' then due = now + due end
        if due <= now then
          for i = 4, #ARGV, 2 do redis.call('LPUSH', KEYS[3], ARGV[i]) end
          return 0
        end
        for i = 3, #ARGV, 2 do
          redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
          redis.call('ZADD', KEYS[1], due, ARGV[i])
        end
        return due
        """;

    /// <summary>
    /// Cancels one scheduled delivery. KEYS[1] the scheduled ZSET, KEYS[2] the elements HASH; ARGV[1] the
    /// id. Returns 1 when it removed it, 0 when the id is unknown, cancelled or already moved to ready.
    /// </summary>
    public const string CancelScript = """
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return removed
        """;

    /// <summary>A new id: 32 hex digits, unique per delivery, so identical payloads can be scheduled several times.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Ids of a batch: one random base and the index, zero-padded, so that the ZSET (which orders equal
    /// due times by member) moves them to ready in the batch's order.
    /// </summary>
    public static string[] NewIds(int count)
    {
        var id = NewId();
        var ids = new string[count];
        for (var i = 0; i < count; i++) ids[i] = $"{id}-{i:D6}";
        return ids;
    }

    /// <summary>
    /// Runs <see cref="ScheduleScript"/>, after <c>SADD rmq::rmq-scheduled-queues</c> (and, when
    /// <paramref name="listQueue"/>, <c>SADD rmq::queues</c>): other hash slots, so not in the script.
    /// Returns true when the deliveries went to ready at once (the due time was not in the future): the
    /// caller wakes the queue then. Arguments must have been validated (<see cref="Scheduling"/>).
    /// </summary>
    /// <remarks>
    /// Checkpoint: the queue is listed as scheduling before anything is scheduled, and never unlisted
    /// (not even by Destroy: that could not be atomic with a racing schedule); a publisher dying between the two leaves the queue listed with nothing due (one
    /// empty look per cleaner pass), never a scheduled delivery that no cleaner knows about.
    /// </remarks>
    public static async Task<bool> ScheduleAsync(IDatabaseAsync db, RedisKeys keys, string queue, bool isDelay, long milliseconds,
        string[] ids, RedisValue[] elements, bool listQueue)
    {
        var args = new RedisValue[2 + ids.Length * 2];
        args[0] = isDelay ? "d" : "a";
        args[1] = milliseconds;
        for (var i = 0; i < ids.Length; i++)
        {
            args[2 + i * 2] = ids[i];
            args[3 + i * 2] = elements[i];
        }
        var listed = listQueue ? db.SetAddAsync(RedisKeys.Queues, queue) : Task.FromResult(true);
        await db.SetAddAsync(RedisKeys.ScheduledQueues, queue).ConfigureAwait(false);
        var due = (long)await db.ScriptEvaluateAsync(ScheduleScript, [keys.Scheduled(queue), keys.ScheduledElements(queue), keys.Ready(queue)], args)
            .ConfigureAwait(false);
        await listed.ConfigureAwait(false);
        return due == 0;
    }

    /// <summary>Runs <see cref="CancelScript"/>; true when the delivery was still scheduled and is now gone.</summary>
    public static async Task<bool> CancelAsync(IDatabaseAsync db, RedisKeys keys, string queue, string id) =>
        (long)await db.ScriptEvaluateAsync(CancelScript, [keys.Scheduled(queue), keys.ScheduledElements(queue)], [id]).ConfigureAwait(false) == 1;
}
