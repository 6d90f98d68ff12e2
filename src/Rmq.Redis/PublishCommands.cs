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
