namespace Rmq.Redis;

/// <summary>
/// Every Lua script Rmq runs. Each touches only keys of one queue, which share a hash slot in the
/// cluster dialect, so all of them are legal on Redis Cluster too. Redis runs a script atomically:
/// a crash of the silo can happen before or after a script, never inside one.
/// </summary>
internal static class LuaScripts
{
    /// <summary>
    /// The consuming hot path in one round trip: apply finished outcomes, then prefetch.
    /// KEYS[1] ready, KEYS[2] this connection's unacked list, KEYS[3] rejected, KEYS[4] push target's ready
    /// (= KEYS[3] when there is none).
    /// ARGV[1] a = acks, ARGV[2] r = rejects, ARGV[3] p = pushes, ARGV[4] t = returns,
    /// ARGV[5] how many to fetch at most, ARGV[6] the prefetch limit,
    /// ARGV[7..] the raw elements: a acked, r rejected, p pushed, t returned (oldest first).
    /// Returns { elements not found in unacked, server-side room, fetched elements... }.
    /// </summary>
    /// <remarks>
    /// Reject/Push add the element to their target only when it was still in unacked: if a cleaner
    /// already returned it to ready, adding a copy would duplicate it (Go rmq does add one).
    /// Acks remove from the oldest end (<c>LREM -1</c>), where in-order acks are found at once.
    /// Acked elements that make up the oldest end of unacked — in-order acks, a whole batch — are
    /// counted off that end (one LRANGE of as many elements as there are acks) and cut with one
    /// LTRIM; the rest are removed one by one with <c>LREM -1</c>. Either way each ack removes the
    /// oldest copy of its element, exactly as one <c>LREM -1</c> per ack would.
    /// Returns go to the right end of ready in reverse, so they are next and keep their order.
    /// The fetch moves the n oldest elements of ready with one LRANGE + LTRIM + LPUSH (in chunks of
    /// 1000, under Lua's unpack limit) instead of n RPOPLPUSH calls: the lists end exactly as the
    /// RPOPLPUSH loop leaves them (oldest pushed first, so the newest is leftmost in unacked), with
    /// three calls instead of one per element. The script is atomic, so no one sees the elements
    /// between the LTRIM and the LPUSH.
    /// </remarks>
    public const string ApplyAndFetch = """
        local a, r, p, t = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
        local missing = 0
        local i = 7
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
        for _ = 1, p do
          if redis.call('LREM', KEYS[2], -1, ARGV[i]) == 1 then redis.call('LPUSH', KEYS[4], ARGV[i]) else missing = missing + 1 end
          i = i + 1
        end
        for j = i + t - 1, i, -1 do
          if redis.call('LREM', KEYS[2], 1, ARGV[j]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[j]) else missing = missing + 1 end
        end
        local room = tonumber(ARGV[6]) - redis.call('LLEN', KEYS[2])
        local n = math.min(tonumber(ARGV[5]), room)
        local out = { missing, room }
        if n > 0 then
          local moved = redis.call('LRANGE', KEYS[1], -n, -1)
          if #moved > 0 then
            redis.call('LTRIM', KEYS[1], 0, -#moved - 1)
            for j = #moved, 1, -1 do out[#out + 1] = moved[j] end
            for j = 3, #out, 1000 do
              redis.call('LPUSH', KEYS[2], unpack(out, j, math.min(j + 999, #out)))
            end
          end
        end
        return out
        """;

    /// <summary>
    /// Deletes a list and returns how long it was, atomically (Go rmq's LLEN + LTRIM loop could
    /// delete elements pushed meanwhile and report the wrong count). KEYS[1] the list.
    /// </summary>
    public const string Purge = """
        local n = redis.call('LLEN', KEYS[1])
        if n > 0 then redis.call('DEL', KEYS[1]) end
        return n
        """;

    /// <summary>
    /// Moves up to ARGV[1] elements from the right of KEYS[1] to the left of KEYS[2] (oldest first, to
    /// the back of the line), as Go rmq's RPOPLPUSH loops do. Callers chunk ARGV[1] to keep each
    /// script short. Returns the number moved.
    /// </summary>
    public const string Move = """
        local n = 0
        for _ = 1, tonumber(ARGV[1]) do
          if not redis.call('RPOPLPUSH', KEYS[1], KEYS[2]) then break end
          n = n + 1
        end
        return n
        """;

    /// <summary>Pops up to ARGV[1] elements from the right of KEYS[1] (RPOP with a count needs Redis 6.2).</summary>
    public const string Drain = """
        local out = {}
        for _ = 1, tonumber(ARGV[1]) do
          local v = redis.call('RPOP', KEYS[1])
          if not v then break end
          out[#out + 1] = v
        end
        return out
        """;
}
