using Rmq.Redis.Lua;

namespace Rmq.Redis;

/// <summary>
/// Every Lua script Rmq runs. Each touches only keys of one queue, which share a hash slot in the
/// cluster dialect, so all of them are legal on Redis Cluster too. Redis runs a script atomically:
/// a crash of the silo can happen before or after a script, never inside one.
/// </summary>
/// <remarks>
/// Redis over <c>maxmemory</c> (policy <c>noeviction</c>) refuses commands that may grow memory (LPUSH,
/// RPOPLPUSH, SET, SADD, HSET…), inside scripts too: a script without flags fails at the first such
/// command unless it has written before — so whether it runs depends on the order of its calls. The
/// scripts of the consuming side start with <see cref="RmqScript.AllowOomShebang"/> (Redis 7+) instead, and always run
/// whole: fetching, acks, rejects, pushes, returns, heartbeats, registrations and the cleaner move or
/// remove what Redis already holds (or write a few bytes of bookkeeping), and they are how a full Redis
/// empties. Publishing uses plain LPUSH and stays refused while Redis is full. Each script is an
/// <see cref="RmqScript"/>, composed once: the shebang, the key-type check written once
/// (<see cref="RmqScript.TypeCheck"/>), then the body below (<see cref="RedisConnection.Script"/> sends it
/// without the shebang to Redis 6 and older).
/// </remarks>
internal static class LuaScripts
{
    /// <summary>
    /// The consuming hot path in one round trip: apply finished outcomes (once), then prefetch.
    /// KEYS[1] ready, KEYS[2] this connection's unacked list, KEYS[3] rejected, KEYS[4] the connection's
    /// applied-batch marker (a string), KEYS[5] the push target's ready — passed only when there are
    /// pushes (classic dialect; in the cluster dialect pushes were copied by <see cref="PushOnce"/> and
    /// come here as acks). Then, passed only when there are dead letters or retries, the queue's scheduled
    /// ZSET, its scheduled-elements HASH and its counters HASH (<see cref="RedisKeys.Counters"/>), and after them — passed
    /// only when there are dead letters and the queue has a dead-letter handler — its dead-letter notices LIST, which gets
    /// each dead letter too (<see cref="RedisKeys.DeadLetterNotices"/>).
    /// ARGV[1] the batch number, ARGV[2] the marker's TTL in seconds, ARGV[3] a = acks, ARGV[4] r = rejects,
    /// ARGV[5] d = dead letters, ARGV[6] p = pushes, ARGV[7] t = returns, ARGV[8] how many to fetch at most,
    /// ARGV[9] the prefetch limit, ARGV[10] s = retries, ARGV[11..] the raw elements: a acked, r rejected,
    /// d pairs (raw, replacement), s quadruples (raw, scheduled id, delay in ms, replacement), p pushed,
    /// t returned (oldest first).
    /// Returns { elements not found in unacked, server-side room, LLEN ready, 1 if the batch had been
    /// applied already, fetched elements... }.
    /// </summary>
    /// <remarks>
    /// A batch is applied at most once: the marker holds the number of the last batch applied. When a
    /// reply is lost the engine retries the same batch with the same number, and this finds it applied
    /// and skips it — re-running LREM by value would remove another, identical copy.
    /// Redis does not undo a script that fails halfway, so every key the script may write to before its first command on
    /// that key is checked to be a list (or absent) before anything is written: a key of another type fails the whole
    /// round trip, never half of it. The others fail at that first command, which comes before every write — unacked
    /// always (its LLEN, or the first outcome's LRANGE or LREM), ready when nothing is applied (the fetch's LRANGE, or only the final LLEN when there is no room) —
    /// and rejected is left alone unless something is rejected or dead-lettered: a fetch with nothing to apply runs no
    /// TYPE at all, and an ack batch one. When the fetch moves fewer than it asked for, ready is empty and its length
    /// is not asked.
    /// Reject/Push add the element to their target only when it was still in unacked: if a cleaner
    /// already returned it to ready, adding a copy would duplicate it (Go rmq does add one).
    /// Acks remove from the oldest end (<c>LREM -1</c>), where in-order acks are found at once.
    /// Acked elements that make up the oldest end of unacked — in-order acks, a whole batch — are
    /// counted off that end (one LRANGE of as many elements as there are acks) and cut with one
    /// LTRIM; the rest are removed one by one with <c>LREM -1</c>. Either way each ack removes the
    /// oldest copy of its element, exactly as one <c>LREM -1</c> per ack would.
    /// Returns go to the right end of ready in reverse, so they are next and keep their order.
    /// Retries wait in the scheduled set, due after their delay by Redis's clock (a delay of 0 goes to
    /// ready at once, as a scheduled publish not in the future); the queue's scheduler moves them when due.
    /// The fetch moves the n oldest elements of ready with one LRANGE + LTRIM + LPUSH (in chunks of
    /// 1000, under Lua's unpack limit) instead of n RPOPLPUSH calls: the lists end exactly as the
    /// RPOPLPUSH loop leaves them (oldest pushed first, so the newest is leftmost in unacked), with
    /// three calls instead of one per element. The script is atomic, so no one sees the elements
    /// between the LTRIM and the LPUSH.
    /// </remarks>
    public static readonly RmqScript ApplyAndFetch = RmqScript.Create("ApplyAndFetch", allowOom: true, prelude: """
        local a, r, d, p, t, s = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[10])
        local x = 5
        if p > 0 then x = 6 end
        -- KEYS 1-3 lists, 4 the marker (a string, not checked), then the push target's ready when there are pushes,
        -- then the scheduled ZSET, its elements HASH and the counters HASH when there are dead letters or retries.
        local rmq_types = { 'list', 'list', 'list', false, 'list' }
        rmq_types[x], rmq_types[x + 1], rmq_types[x + 2], rmq_types[x + 3] = 'zset', 'hash', 'hash', 'list'
        -- Checked are only the keys something may be written to before this call's first command on them (which fails on
        -- a key of another type before anything is written): never unacked (LLEN, or the first outcome's LRANGE or LREM,
        -- comes before every write); ready only when outcomes are applied; rejected only with rejects or dead letters.
        rmq_types[2] = false
        if a + r + d + s + p + t == 0 then rmq_types[1] = false end
        if r + d == 0 then rmq_types[3] = false end
        """, body: """
        local missing = 0
        local replayed = 0
        if a + r + d + s + p + t > 0 then
          if redis.call('GET', KEYS[4]) == ARGV[1] then replayed = 1 end
        end
        if replayed == 0 and a + r + d + s + p + t > 0 then
          local i = 11
          if a > 0 then
            local acks = {}
            for j = i, i + a - 1 do acks[ARGV[j]] = (acks[ARGV[j]] or 0) + 1 end
            local oldest = redis.call('LRANGE', KEYS[2], -a, -1)
            local run = 0
            for j = #oldest, 1, -1 do
              local left = acks[oldest[j]]
              if not left or left == 0 then break end
              acks[oldest[j]] = left - 1
              run = run + 1
            end
            if run > 0 then redis.call('LTRIM', KEYS[2], 0, -run - 1) end
            for j = i, i + a - 1 do
              local left = acks[ARGV[j]]
              if left > 0 then
                acks[ARGV[j]] = left - 1
                if redis.call('LREM', KEYS[2], -1, ARGV[j]) == 0 then missing = missing + 1 end
              end
            end
            i = i + a
          end
          for _ = 1, r do
            if redis.call('LREM', KEYS[2], -1, ARGV[i]) == 1 then redis.call('LPUSH', KEYS[3], ARGV[i]) else missing = missing + 1 end
            i = i + 1
          end
          local deadLettered, retried = 0, 0
          local notify = #KEYS >= x + 3
          for _ = 1, d do
            if redis.call('LREM', KEYS[2], -1, ARGV[i]) == 1 then
              redis.call('LPUSH', KEYS[3], ARGV[i + 1])
              if notify then redis.call('LPUSH', KEYS[x + 3], ARGV[i + 1]) end
              deadLettered = deadLettered + 1
            else missing = missing + 1 end
            i = i + 2
          end
          if s > 0 then
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            for _ = 1, s do
              if redis.call('LREM', KEYS[2], -1, ARGV[i]) == 1 then
                local delay = tonumber(ARGV[i + 2])
                if delay > 0 then
                  redis.call('HSET', KEYS[x + 1], ARGV[i + 1], ARGV[i + 3])
                  redis.call('ZADD', KEYS[x], now + delay, ARGV[i + 1])
                else
                  redis.call('LPUSH', KEYS[1], ARGV[i + 3])
                end
                retried = retried + 1
              else missing = missing + 1 end
              i = i + 4
            end
          end
          if deadLettered > 0 then redis.call('HINCRBY', KEYS[x + 2], 'dead-lettered', deadLettered) end
          if retried > 0 then redis.call('HINCRBY', KEYS[x + 2], 'retried', retried) end
          for _ = 1, p do
            if redis.call('LREM', KEYS[2], -1, ARGV[i]) == 1 then redis.call('LPUSH', KEYS[5], ARGV[i]) else missing = missing + 1 end
            i = i + 1
          end
          for j = i + t - 1, i, -1 do
            if redis.call('LREM', KEYS[2], 1, ARGV[j]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[j]) else missing = missing + 1 end
          end
          redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[2])
        end
        local room = tonumber(ARGV[9]) - redis.call('LLEN', KEYS[2])
        local n = math.min(tonumber(ARGV[8]), room)
        local out = { missing, room, 0, replayed }
        local drained = false
        if n > 0 then
          local moved = redis.call('LRANGE', KEYS[1], -n, -1)
          drained = #moved < n
          if #moved > 0 then
            redis.call('LTRIM', KEYS[1], 0, -#moved - 1)
            for j = #moved, 1, -1 do out[#out + 1] = moved[j] end
            for j = 5, #out, 1000 do
              redis.call('LPUSH', KEYS[2], unpack(out, j, math.min(j + 999, #out)))
            end
          end
        end
        -- Fewer than asked: ready is empty now (nothing runs between the LRANGE and here).
        if not drained then out[3] = redis.call('LLEN', KEYS[1]) end
        return out
        """, buildsTypesInPrelude: true);

    /// <summary>
    /// Cluster dialect: adds pushed elements to a push target in another hash slot, at most once per
    /// batch number. KEYS[1] the target's ready, KEYS[2] the target's pushed-batch marker for this
    /// connection. ARGV[1] the batch number, ARGV[2] the marker's TTL in seconds, ARGV[3..] the elements.
    /// Returns how many were added (0 when this batch had been added already).
    /// </summary>
    /// <remarks>
    /// They are copied before <see cref="ApplyAndFetch"/> removes them from unacked, as Go rmq does:
    /// a silo that dies in between leaves each in both lists — delivered twice, never lost.
    /// </remarks>
    public static readonly RmqScript PushOnce = RmqScript.Create("PushOnce", allowOom: true, ["list", null], """
        for j = 3, #ARGV, 1000 do
          redis.call('LPUSH', KEYS[1], unpack(ARGV, j, math.min(j + 999, #ARGV)))
        end
        redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
        return #ARGV - 2
        """, prelude: """
        if redis.call('GET', KEYS[2]) == ARGV[1] then return 0 end
        """);

    /// <summary>
    /// Deletes a list and returns how long it was, atomically (Go rmq's LLEN + LTRIM loop could
    /// delete elements pushed meanwhile and report the wrong count). KEYS[1] the list.
    /// </summary>
    public static readonly RmqScript Purge = RmqScript.Unchecked("Purge", allowOom: false, """
        local n = redis.call('LLEN', KEYS[1])
        if n > 0 then redis.call('DEL', KEYS[1]) end
        return n
        """);

    /// <summary>
    /// Moves up to ARGV[1] elements from the right of KEYS[1] to the left of KEYS[2] (oldest first, to
    /// the back of the line), as Go rmq's RPOPLPUSH loops do. Callers chunk ARGV[1] to keep each
    /// script short. Returns the number moved.
    /// </summary>
    public static readonly RmqScript Move = RmqScript.Create("Move", allowOom: true, ["list", "list"], """
        local n = 0
        for _ = 1, tonumber(ARGV[1]) do
          if not redis.call('RPOPLPUSH', KEYS[1], KEYS[2]) then break end
          n = n + 1
        end
        return n
        """);

    /// <summary>
    /// ReturnRejected: KEYS[1] rejected, KEYS[2] ready. ARGV holds, oldest rejection first, either
    /// ('k', element) — move it as it is — or ('r', element, replacement) — move it as the replacement
    /// (without Rmq's retry headers). Each element is taken with <c>LREM -1</c>, the oldest copy, as
    /// RPOPLPUSH would, and pushed to the left of ready only when it was still in rejected. Returns how many moved.
    /// </summary>
    public static readonly RmqScript ReturnRejected = RmqScript.Create("ReturnRejected", allowOom: false, ["list", "list"], """
        local moved = 0
        local i = 1
        while i <= #ARGV do
          local replace = ARGV[i] == 'r'
          if redis.call('LREM', KEYS[1], -1, ARGV[i + 1]) == 1 then
            if replace then redis.call('LPUSH', KEYS[2], ARGV[i + 2]) else redis.call('LPUSH', KEYS[2], ARGV[i + 1]) end
            moved = moved + 1
          end
          if replace then i = i + 3 else i = i + 2 end
        end
        return moved
        """);

    /// <summary>
    /// <c>SET KEYS[1] ARGV[1] PX ARGV[2]</c> even over maxmemory: the heartbeat, so a full Redis does not
    /// make a live connection look dead (its deliveries would be returned and consumed twice).
    /// </summary>
    public static readonly RmqScript SetWithTtl = RmqScript.Unchecked("SetWithTtl", allowOom: true, """
        return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        """);

    /// <summary>
    /// <c>SADD KEYS[1] ARGV…</c> even over maxmemory, for the registrations that consuming needs
    /// (rmq::connections, a connection's queues and consumers, rmq::queues, the consuming queues), so a
    /// queue can start (or resume) consuming a full Redis. Returns how many were added.
    /// </summary>
    public static readonly RmqScript AddToSet = RmqScript.Unchecked("AddToSet", allowOom: true, """
        local n = 0
        for j = 1, #ARGV, 1000 do
          n = n + redis.call('SADD', KEYS[1], unpack(ARGV, j, math.min(j + 999, #ARGV)))
        end
        return n
        """);

    /// <summary>
    /// <c>HSET KEYS[1] field value…</c> (ARGV holds the pairs) even over maxmemory, for the consuming
    /// configuration and the connection → silo owners. Returns how many fields were new.
    /// </summary>
    public static readonly RmqScript SetHashFields = RmqScript.Unchecked("SetHashFields", allowOom: true, """
        local n = 0
        for j = 1, #ARGV, 1000 do
          n = n + redis.call('HSET', KEYS[1], unpack(ARGV, j, math.min(j + 999, #ARGV)))
        end
        return n
        """);

    /// <summary>Pops up to ARGV[1] elements from the right of KEYS[1] (RPOP with a count needs Redis 6.2).</summary>
    public static readonly RmqScript Drain = RmqScript.Unchecked("Drain", allowOom: false, """
        local out = {}
        for _ = 1, tonumber(ARGV[1]) do
          local v = redis.call('RPOP', KEYS[1])
          if not v then break end
          out[#out + 1] = v
        end
        return out
        """);

    /// <summary>
    /// Moves due scheduled deliveries to ready. KEYS[1] the scheduled ZSET (<see cref="RedisKeys.Scheduled"/>),
    /// KEYS[2] the elements HASH, KEYS[3] ready — one queue's hash slot. ARGV[1] how many at most.
    /// Returns { how many it moved, the earliest due time left in unix ms ('' when none), Redis's time in unix ms }.
    /// </summary>
    /// <remarks>
    /// Oldest due first (equal due times in id order, which is a batch's order), each <c>LPUSH</c>ed to
    /// the left of ready: consumed after what was already waiting, like a publish at its due time. Moving
    /// is one script (ZREM + HDEL + LPUSH), so a retry after a lost reply finds those ids gone and moves
    /// nothing twice; the scheduler and the cleaner may both run it at any time. The time is Redis's, the
    /// clock the due times of delays were counted on. An id without an element (impossible through Rmq,
    /// but a hand edit) is dropped. allow-oom: moving frees the hash as it grows ready, and due deliveries
    /// must reach a full Redis's consumers. Types are checked first: a script never fails halfway. A queue
    /// with nothing scheduled costs one TYPE (every queue grain runs this once on activation), and a
    /// broken ready list of such a queue is not this script's business.
    /// </remarks>
    public static readonly RmqScript MoveDue = RmqScript.Create("MoveDue", allowOom: true, ["zset", "hash", "list"], """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
        for i = 1, #ids do
          local element = redis.call('HGET', KEYS[2], ids[i])
          if element then redis.call('LPUSH', KEYS[3], element) end
        end
        if #ids > 0 then
          redis.call('HDEL', KEYS[2], unpack(ids))
          redis.call('ZREM', KEYS[1], unpack(ids))
        end
        local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return { #ids, first[2] or '', now }
        """, prelude: """
        if redis.call('TYPE', KEYS[1])['ok'] == 'none' then return { 0, '', 0 } end
        """);

    /// <summary>
    /// Deletes a queue's scheduled deliveries. KEYS[1] the scheduled ZSET, KEYS[2] the elements HASH.
    /// Returns how many were scheduled. One script, so the ZSET and the HASH go together.
    /// </summary>
    public static readonly RmqScript PurgeScheduled = RmqScript.Unchecked("PurgeScheduled", allowOom: true, """
        local n = redis.call('ZCARD', KEYS[1])
        redis.call('DEL', KEYS[1], KEYS[2])
        return n
        """);
}
