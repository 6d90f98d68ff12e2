using Rmq.Redis.Lua;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// How a publish reaches Redis, the same for the queue grain (through its store) and for the client
/// library's direct publisher: one <c>LPUSH ready e1 … en</c> (consumed in argument order), and the first
/// time a process publishes to a queue, <c>SADD rmq::queues</c> as Go rmq's <c>OpenQueue</c> does.
/// </summary>
internal static class PublishCommands
{
    /// <summary>Sends the LPUSH (and the SADD when <paramref name="listQueue"/>); completes once Redis has the elements.</summary>
    public static async Task PushAsync(IDatabaseAsync db, RedisKeys keys, string queue, RedisValue element, bool listQueue)
    {
        var push = db.ListLeftPushAsync(keys.Ready(queue), element);
        if (listQueue) await db.SetAddAsync(RedisKeys.Queues, queue).ConfigureAwait(false);
        await push.ConfigureAwait(false);
    }

    /// <inheritdoc cref="PushAsync(IDatabaseAsync, RedisKeys, string, RedisValue, bool)"/>
    public static async Task PushAsync(IDatabaseAsync db, RedisKeys keys, string queue, RedisValue[] elements, bool listQueue)
    {
        var push = db.ListLeftPushAsync(keys.Ready(queue), elements);
        if (listQueue) await db.SetAddAsync(RedisKeys.Queues, queue).ConfigureAwait(false);
        await push.ConfigureAwait(false);
    }

    /// <summary>How errors of the unique publish name the command.</summary>
    public const string PushUniqueOperation = "SET NX + LPUSH (unique publish)";

    /// <summary>
    /// The unique publish, in one atomic script. KEYS[1] the dedup key (<see cref="RedisKeys.Dedup"/>),
    /// KEYS[2] ready — both in the queue's hash slot. ARGV[1] the window in milliseconds, ARGV[2] the element.
    /// Returns 1 when it published, 0 when the key was taken (nothing written).
    /// </summary>
    /// <remarks>
    /// No <c>allow-oom</c> flag, on purpose: a full Redis refuses it at the SET, before anything is
    /// written, as it refuses every publish (<see cref="IsRedisFull"/>). ready is checked to be a list
    /// first: Redis does not undo a script that fails halfway, and a SET followed by a failed LPUSH would
    /// block the key for its whole window with nothing published. Atomic, so two publishers racing with
    /// one key see exactly one 1; a silo dying around it leaves either both writes or neither.
    /// </remarks>
    public static readonly RmqScript PushUniqueScript = RmqScript.Create("PushUnique", allowOom: false, [null, "list"], """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
        redis.call('LPUSH', KEYS[2], ARGV[2])
        return 1
        """);

    /// <summary>
    /// Runs <see cref="PushUniqueScript"/> (and, when <paramref name="listQueue"/>, <c>SADD rmq::queues</c>
    /// beside it: that set is in another hash slot, and Go rmq lists a queue on open, published or not).
    /// Returns whether the element was published. Arguments must have been validated
    /// (<see cref="Deduplication.Validate"/>).
    /// </summary>
    public static async Task<bool> PushUniqueAsync(IDatabaseAsync db, RedisKeys keys, string queue, string dedupKey, TimeSpan window,
        RedisValue element, bool listQueue)
    {
        var push = db.ScriptEvaluateAsync(PushUniqueScript.Text, [keys.Dedup(queue, dedupKey), keys.Ready(queue)],
            [Deduplication.WindowMilliseconds(window), element]);
        if (listQueue) await db.SetAddAsync(RedisKeys.Queues, queue).ConfigureAwait(false);
        return (long)(await push.ConfigureAwait(false)) == 1;
    }

    /// <summary>
    /// A publisher that bypasses the queue grain wakes a queue at most once per this window (and at once
    /// after a quiet spell of <see cref="WakeQuietGap"/>); a woken engine looks at ready again every
    /// <see cref="WakeFollowUp"/> until the window after the wake has passed, so a publish whose wake
    /// was left out is fetched within about a millisecond, without a timer per publish.
    /// </summary>
    public static readonly TimeSpan WakeWindow = TimeSpan.FromMilliseconds(5);

    /// <summary>A publish that follows the previous one to its queue by at least this much wakes it at once.</summary>
    public static readonly TimeSpan WakeQuietGap = TimeSpan.FromMilliseconds(0.05);

    /// <summary>How often a woken engine looks at ready again within <see cref="WakeWindow"/>.</summary>
    public static readonly TimeSpan WakeFollowUp = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Wakes the queue's consuming engine, fire and forget. Issued after the LPUSH on the same
    /// connection, so Redis runs it after the push and the woken engine finds the elements.
    /// </summary>
    public static void Wake(IDatabaseAsync db, RedisKeys keys, string queue) =>
        _ = db.PublishAsync(keys.Wake(queue), RedisValue.EmptyString, CommandFlags.FireAndForget);

    /// <summary>True for the exceptions StackExchange.Redis raises when Redis cannot be reached or does not answer in time.</summary>
    public static bool IsUnavailable(Exception e) => e is RedisConnectionException or RedisTimeoutException;

    /// <summary>
    /// True for Redis's refusal of a command that would grow its memory past <c>maxmemory</c> under
    /// the <c>noeviction</c> policy (<c>OOM command not allowed when used memory &gt; 'maxmemory'</c>).
    /// Publishes are such commands, on purpose: a full Redis refuses new work and keeps what it holds.
    /// </summary>
    public static bool IsRedisFull(Exception e) =>
        e is RedisServerException && e.Message.StartsWith("OOM ", StringComparison.Ordinal);
}
