using Rmq.Redis.Lua;
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
    public const string ScheduleOperation = "ZADD + HSET (scheduled publish)";

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
    public static readonly RmqScript ScheduleScript = RmqScript.Create("Schedule", allowOom: false, ["zset", "hash", "list"], """
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
        """);

    /// <summary>How errors of a deduplicated scheduled publish name the script.</summary>
    public const string ScheduleUniqueOperation = "SET NX + ZADD + HSET (unique scheduled publish)";

    /// <summary>What <see cref="ScheduleUniqueScript"/> answers when the dedup key was taken.</summary>
    public const long Deduplicated = -1;

    /// <summary>
    /// A deduplicated delayed or scheduled publish, atomically: the dedup key is taken (<c>SET NX PX</c>)
    /// and the delivery scheduled, or neither. KEYS[1] the dedup key (<see cref="RedisKeys.Dedup"/>), KEYS[2]
    /// the scheduled ZSET, KEYS[3] the elements HASH, KEYS[4] ready — all in the queue's hash slot. ARGV[1]
    /// the window in ms, ARGV[2] 'd' or 'a' and ARGV[3] the delay or due time as in <see cref="ScheduleScript"/>,
    /// ARGV[4] the id, ARGV[5] the element. Returns <see cref="Deduplicated"/> (-1) when the key was taken
    /// (nothing written), 0 when the due time was not in the future (pushed to ready at once), else the due
    /// time in unix ms.
    /// </summary>
    /// <remarks>
    /// The window counts from this publish, as for an immediate unique publish, not from the due time. The
    /// types are checked before the SET: a SET followed by a failed ZADD would block the key for its whole
    /// window with nothing scheduled. No <c>allow-oom</c>, as every publish.
    /// </remarks>
    public static readonly RmqScript ScheduleUniqueScript = RmqScript.Create("ScheduleUnique", allowOom: false, [null, "zset", "hash", "list"], """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return -1 end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local due = tonumber(ARGV[3])
        if ARGV[2] == 'd' then due = now + due end
        if due <= now then
          redis.call('LPUSH', KEYS[4], ARGV[5])
          return 0
        end
        redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
        redis.call('ZADD', KEYS[2], due, ARGV[4])
        return due
        """);

    /// <summary>
    /// Runs <see cref="ScheduleUniqueScript"/> after <c>SADD rmq::rmq-scheduled-queues</c> (and, when
    /// <paramref name="listQueue"/>, <c>SADD rmq::queues</c>), as <see cref="ScheduleAsync"/> does.
    /// Returns the script's answer.
    /// </summary>
    public static async Task<long> ScheduleUniqueAsync(IDatabaseAsync db, RedisKeys keys, string queue, string dedupKey, TimeSpan window,
        bool isDelay, long milliseconds, string id, RedisValue element, bool listQueue)
    {
        var listed = listQueue ? db.SetAddAsync(RedisKeys.Queues, queue) : Task.FromResult(true);
        await db.SetAddAsync(RedisKeys.ScheduledQueues, queue).ConfigureAwait(false);
        var answer = (long)await db.ScriptEvaluateAsync(ScheduleUniqueScript.Text,
            [keys.Dedup(queue, dedupKey), keys.Scheduled(queue), keys.ScheduledElements(queue), keys.Ready(queue)],
            [Deduplication.WindowMilliseconds(window), isDelay ? "d" : "a", milliseconds, id, element]).ConfigureAwait(false);
        await listed.ConfigureAwait(false);
        return answer;
    }

    /// <summary>
    /// Cancels one scheduled delivery. KEYS[1] the scheduled ZSET, KEYS[2] the elements HASH; ARGV[1] the
    /// id. Returns 1 when it removed it, 0 when the id is unknown, cancelled or already moved to ready.
    /// </summary>
    public static readonly RmqScript CancelScript = RmqScript.Unchecked("CancelScheduled", allowOom: false, """
        local removed = redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        return removed
        """);

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
        var due = (long)await db.ScriptEvaluateAsync(ScheduleScript.Text, [keys.Scheduled(queue), keys.ScheduledElements(queue), keys.Ready(queue)], args)
            .ConfigureAwait(false);
        await listed.ConfigureAwait(false);
        return due == 0;
    }

    /// <summary>Runs <see cref="CancelScript"/>; true when the delivery was still scheduled and is now gone.</summary>
    public static async Task<bool> CancelAsync(IDatabaseAsync db, RedisKeys keys, string queue, string id) =>
        (long)await db.ScriptEvaluateAsync(CancelScript.Text, [keys.Scheduled(queue), keys.ScheduledElements(queue)], [id]).ConfigureAwait(false) == 1;
}
