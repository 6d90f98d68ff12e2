using Rmq.Redis.Lua;

namespace Rmq.Redis;

/// <summary>
/// The Lua scripts of recurring jobs. Every one touches only keys of one queue (its recurring hashes and
/// its scheduled set), which share a hash slot in the cluster dialect, and receives all of them in KEYS.
/// Occurrences are ordinary scheduled deliveries with the id <c>rec:&lt;name&gt;:&lt;unix ms&gt;</c>: the
/// queue's scheduler and the cleaner move them to ready with <see cref="LuaScripts.MoveDue"/>.
/// </summary>
/// <remarks>
/// The state of a job (<see cref="RedisKeys.RecurringState"/>) is <c>generation|pending|last|resume</c>, in
/// unix ms. Cron arithmetic happens in C#: a silo reads the state (<see cref="Read"/>), decides what to
/// schedule, and <see cref="Advance"/> writes it only if the state is still what it read — so of any
/// number of silos deciding at once, one writes and the others re-read. That is what makes every
/// occurrence scheduled at most once, cluster-wide.
/// </remarks>
internal static class RecurringScripts
{
    /// <summary>Shared by the scripts: the id of the occurrence a state holds pending, or nil.</summary>
    private const string PendingId = """
        local function pending_id(name, state)
          if not state then return nil end
          local p = string.match(state, '^[^|]*|(%d+)|')
          if not p or p == '0' then return nil end
          return 'rec:' .. name .. ':' .. p
        end
        """;

    /// <summary>The types of the writing scripts' keys (see <see cref="Define"/>), checked before anything is written (Redis does not undo a script that fails halfway).</summary>
    private static readonly string?[] KeyTypes = ["hash", "hash", "hash", "zset", "hash"];

    /// <summary>
    /// Reads every recurring job of a queue at once, with Redis's clock. KEYS[1] the recurring HASH, KEYS[2]
    /// the state HASH, KEYS[3] the scheduled ZSET. Returns { now (unix ms), then per job: name, definition,
    /// state ('' when none), 1 when its pending occurrence is in the scheduled set else 0 }. Only { now }
    /// when the queue has no recurring job: one round trip, nothing else, for a queue without any.
    /// </summary>
    public static readonly RmqScript Read = RmqScript.Unchecked("RecurringRead", allowOom: false, PendingId + """

        local time = redis.call('TIME')
        local out = { tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) }
        if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return out end
        local defs = redis.call('HGETALL', KEYS[1])
        for i = 1, #defs, 2 do
          local name = defs[i]
          local state = redis.call('HGET', KEYS[2], name)
          local id = pending_id(name, state)
          local present = 0
          if id and redis.call('ZSCORE', KEYS[3], id) then present = 1 end
          out[#out + 1] = name
          out[#out + 1] = defs[i + 1]
          out[#out + 1] = state or ''
          out[#out + 1] = present
        end
        return out
        """);

    /// <summary>
    /// Creates or replaces a recurring job. KEYS[1] the recurring HASH, KEYS[2] the recurring elements HASH,
    /// KEYS[3] the state HASH, KEYS[4] the scheduled ZSET, KEYS[5] the scheduled elements HASH. ARGV[1] the
    /// name, ARGV[2] the definition, ARGV[3] the payload, ARGV[4] the fresh state (<c>generation|0|0|0</c>).
    /// Returns 1 when it replaced a job, 0 when the job is new.
    /// </summary>
    /// <remarks>
    /// A replaced job's pending occurrence is removed with it, and the new state has a new generation, so a
    /// silo that read the old job and is about to schedule its next occurrence finds the state changed and
    /// schedules nothing of it. The first occurrence is scheduled right after, by <see cref="Advance"/>.
    /// No allow-oom: a full Redis refuses it whole, as every publish.
    /// </remarks>
    public static readonly RmqScript Define = RmqScript.Create("RecurringDefine", allowOom: false, KeyTypes, prelude: PendingId, refuseWholeWhenFull: true, body: """
        local id = pending_id(ARGV[1], redis.call('HGET', KEYS[3], ARGV[1]))
        if id then
          redis.call('ZREM', KEYS[4], id)
          redis.call('HDEL', KEYS[5], id)
        end
        local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
        return existed
        """);

    /// <summary>
    /// The compare-and-set that moves a job on. KEYS as <see cref="Define"/>. ARGV[1] the name, ARGV[2] the
    /// state as read ('' for none), ARGV[3] the pending occurrence's id as read ('' for none), ARGV[4] '1'
    /// when it was in the scheduled set then, ARGV[5] an occurrence id to remove ('' for none), ARGV[6] an
    /// occurrence id to add ('' for none), ARGV[7] its score (unix ms), ARGV[8] the rmq header to put before
    /// the payload, ARGV[9] the new state.
    /// Returns 1 when it wrote, 0 when the state (or the pending occurrence's presence) changed since it was
    /// read — re-read and decide again —, -1 when the job is gone.
    /// </summary>
    /// <remarks>
    /// Checkpoint: the new state and the occurrence are written together, so a silo dying around this
    /// leaves both or neither; an occurrence already moved to ready is never added again, because its
    /// removal from the scheduled set is part of what is compared. The element is built here from the
    /// stored payload: a payload never crosses the network for an occurrence.
    /// </remarks>
    public static readonly RmqScript Advance = RmqScript.Create("RecurringAdvance", allowOom: false, KeyTypes, refuseWholeWhenFull: true, body: """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
        local state = redis.call('HGET', KEYS[3], ARGV[1]) or ''
        if state ~= ARGV[2] then return 0 end
        if ARGV[3] ~= '' then
          local present = redis.call('ZSCORE', KEYS[4], ARGV[3]) and '1' or '0'
          if present ~= ARGV[4] then return 0 end
        end
        if ARGV[5] ~= '' then
          redis.call('ZREM', KEYS[4], ARGV[5])
          redis.call('HDEL', KEYS[5], ARGV[5])
        end
        if ARGV[6] ~= '' then
          local payload = redis.call('HGET', KEYS[2], ARGV[1]) or ''
          redis.call('HSET', KEYS[5], ARGV[6], ARGV[8] .. payload)
          redis.call('ZADD', KEYS[4], ARGV[7], ARGV[6])
        end
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[9])
        return 1
        """);

    /// <summary>
    /// Removes a recurring job: its definition, payload, state and pending occurrence. KEYS as
    /// <see cref="Define"/>; ARGV[1] the name. Returns 1 when the job existed. Allow-oom: removing frees memory.
    /// </summary>
    public static readonly RmqScript Remove = RmqScript.Unchecked("RecurringRemove", allowOom: true, PendingId + "\n" + """
        local id = pending_id(ARGV[1], redis.call('HGET', KEYS[3], ARGV[1]))
        if id then
          redis.call('ZREM', KEYS[4], id)
          redis.call('HDEL', KEYS[5], id)
        end
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        return redis.call('HDEL', KEYS[1], ARGV[1])
        """);

    /// <summary>
    /// Deletes every recurring job of a queue (Destroy). KEYS[1] the recurring HASH, KEYS[2] the recurring
    /// elements HASH, KEYS[3] the state HASH. Returns how many jobs there were. Their pending occurrences are
    /// in the scheduled set, which Destroy deletes right after.
    /// </summary>
    public static readonly RmqScript Purge = RmqScript.Unchecked("RecurringPurge", allowOom: true, """
        local n = 0
        if redis.call('TYPE', KEYS[1])['ok'] == 'hash' then n = redis.call('HLEN', KEYS[1]) end
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
        return n
        """);
}
