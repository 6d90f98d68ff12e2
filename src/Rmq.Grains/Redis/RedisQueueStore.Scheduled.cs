using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>Delayed and scheduled deliveries (<see cref="ScheduleCommands"/>, <see cref="LuaScripts.MoveDue"/>).</summary>
public sealed partial class RedisQueueStore
{
    /// <summary>How many due deliveries one run of <see cref="LuaScripts.MoveDue"/> moves at most (Lua's unpack limit is far above).</summary>
    public const int MoveDueBatch = 1000;

    /// <summary>
    /// Schedules deliveries (<see cref="ScheduleCommands.ScheduleAsync"/>); returns true when they were
    /// not due in the future and went to ready at once.
    /// </summary>
    internal async Task<bool> ScheduleAsync(string queue, bool isDelay, long milliseconds, string[] ids, RedisValue[] elements, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try { return await ScheduleCommands.ScheduleAsync(db, Keys, queue, isDelay, milliseconds, ids, elements, listQueue).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(ScheduleCommands.ScheduleOperation, e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full(ScheduleCommands.ScheduleOperation, e); }
    }

    /// <summary>
    /// A deduplicated scheduled publish (<see cref="ScheduleCommands.ScheduleUniqueAsync"/>): the script's
    /// answer, <see cref="ScheduleCommands.Deduplicated"/>, 0 (pushed at once) or the due time.
    /// </summary>
    internal async Task<long> ScheduleUniqueAsync(string queue, string dedupKey, TimeSpan window, bool isDelay, long milliseconds, string id, RedisValue element, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try { return await ScheduleCommands.ScheduleUniqueAsync(db, Keys, queue, dedupKey, window, isDelay, milliseconds, id, element, listQueue).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(ScheduleCommands.ScheduleUniqueOperation, e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full(ScheduleCommands.ScheduleUniqueOperation, e); }
    }

    /// <summary>Cancels one scheduled delivery; true when it was still scheduled.</summary>
    public Task<bool> CancelScheduledAsync(string queue, string id) =>
        Run(ScheduleCommands.CancelOperation, db => ScheduleCommands.CancelAsync(db, Keys, queue, id));

    /// <summary>
    /// Moves up to <see cref="MoveDueBatch"/> due deliveries to ready (<see cref="LuaScripts.MoveDue"/>).
    /// Returns how many it moved and how long until the earliest one left is due (by Redis's clock), or
    /// null when none is left.
    /// </summary>
    public Task<(long Moved, TimeSpan? NextDueIn)> MoveDueAsync(string queue) =>
        Run("move due scheduled deliveries", async db =>
        {
            var reply = (RedisResult[])(await db.ScriptEvaluateAsync(redis.Script(LuaScripts.MoveDue),
                [Keys.Scheduled(queue), Keys.ScheduledElements(queue), Keys.Ready(queue)], [MoveDueBatch]).ConfigureAwait(false))!;
            var moved = (long)reply[0];
            var first = (string?)reply[1];
            if (string.IsNullOrEmpty(first)) return (moved, (TimeSpan?)null);
            var wait = Math.Max(0, (long)double.Parse(first, System.Globalization.CultureInfo.InvariantCulture) - (long)reply[2]);
            return (moved, TimeSpan.FromMilliseconds(wait));
        });

    /// <summary>
    /// Deletes the queue's scheduled deliveries atomically (<see cref="LuaScripts.PurgeScheduled"/>); returns
    /// how many there were. The queue stays in <see cref="RedisKeys.ScheduledQueues"/> on purpose: that set is
    /// in another hash slot, so unlisting cannot be atomic with the delete, and a schedule racing with it
    /// (its SADD, then our SREM, then its ZADD) would be left where no cleaner looks.
    /// </summary>
    public Task<long> PurgeScheduledAsync(string queue) =>
        Run("purge scheduled", async db => (long)await db.ScriptEvaluateAsync(redis.Script(LuaScripts.PurgeScheduled),
            [Keys.Scheduled(queue), Keys.ScheduledElements(queue)]).ConfigureAwait(false));

    /// <summary><c>ZCARD</c> of the queue's scheduled deliveries.</summary>
    public Task<long> ScheduledCountAsync(string queue) =>
        Run("ZCARD scheduled", db => db.SortedSetLengthAsync(Keys.Scheduled(queue)));

    /// <summary>Every queue that has had scheduled deliveries (<see cref="RedisKeys.ScheduledQueues"/>).</summary>
    public Task<string[]> ScheduledQueuesAsync() =>
        Run("SMEMBERS scheduled queues", async db => (await db.SetMembersAsync(RedisKeys.ScheduledQueues).ConfigureAwait(false)).Select(v => (string)v!).ToArray());
}
