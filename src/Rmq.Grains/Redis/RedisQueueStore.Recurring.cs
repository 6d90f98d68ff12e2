using Rmq.Recurring;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>One recurring job as <see cref="RecurringScripts.Read"/> returns it.</summary>
internal readonly record struct RecurringJobRecord(string Name, string Definition, string State, bool Present);

/// <summary>Recurring jobs (<see cref="RecurringScripts"/>): definitions, their state, and their occurrences in the scheduled set.</summary>
public sealed partial class RedisQueueStore
{
    private const string DefineOperation = "HSET rmq-recurring (ScheduleRecurring)";

    private RedisKey[] RecurringKeys(string queue) =>
        [Keys.Recurring(queue), Keys.RecurringElements(queue), Keys.RecurringState(queue), Keys.Scheduled(queue), Keys.ScheduledElements(queue)];

    /// <summary>
    /// Creates or replaces a job (<see cref="RecurringScripts.Define"/>), after listing the queue in
    /// <see cref="RedisKeys.RecurringQueues"/> and <see cref="RedisKeys.ScheduledQueues"/> (other hash slots, so
    /// not in the script; listed first, so no job is ever unknown to the cleaner). Returns true when it replaced one.
    /// </summary>
    internal async Task<bool> DefineRecurringAsync(string queue, string name, string definition, RedisValue payload, string freshState, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try
        {
            var listed = listQueue ? db.SetAddAsync(RedisKeys.Queues, queue) : Task.FromResult(true);
            var scheduled = db.SetAddAsync(RedisKeys.ScheduledQueues, queue);
            await db.SetAddAsync(RedisKeys.RecurringQueues, queue).ConfigureAwait(false);
            await scheduled.ConfigureAwait(false);
            var replaced = (long)await db.ScriptEvaluateAsync(redis.Script(RecurringScripts.Define), RecurringKeys(queue),
                [name, definition, payload, freshState]).ConfigureAwait(false) == 1;
            await listed.ConfigureAwait(false);
            return replaced;
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(DefineOperation, e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full(DefineOperation, e); }
    }

    /// <summary>Every recurring job of the queue with its state, and Redis's clock (unix ms), in one round trip.</summary>
    internal Task<(long NowMs, List<RecurringJobRecord> Jobs)> ReadRecurringAsync(string queue) =>
        Run("read recurring jobs", async db =>
        {
            var reply = (RedisResult[])(await db.ScriptEvaluateAsync(redis.Script(RecurringScripts.Read),
                [Keys.Recurring(queue), Keys.RecurringState(queue), Keys.Scheduled(queue)]).ConfigureAwait(false))!;
            var jobs = new List<RecurringJobRecord>((reply.Length - 1) / 4);
            for (var i = 1; i + 3 < reply.Length; i += 4)
                jobs.Add(new RecurringJobRecord((string)reply[i]!, (string)reply[i + 1]!, (string)reply[i + 2]!, (long)reply[i + 3] == 1));
            return ((long)reply[0], jobs);
        });

    /// <summary>
    /// The compare-and-set of <see cref="RecurringScripts.Advance"/>: 1 written, 0 the state changed since it
    /// was read, -1 the job is gone. A full Redis refuses it (<see cref="RedisFullException"/>), as a publish.
    /// </summary>
    internal async Task<long> AdvanceRecurringAsync(string queue, string name, string stateAsRead, string pendingId, bool pendingPresent,
        string? removeId, long? addAt, byte[] header, string newState)
    {
        var db = await Db().ConfigureAwait(false);
        var addId = addAt is { } at ? RecurringState.OccurrenceId(name, at) : "";
        try
        {
            return (long)await db.ScriptEvaluateAsync(redis.Script(RecurringScripts.Advance), RecurringKeys(queue),
                [name, stateAsRead, pendingId, pendingPresent ? "1" : "0", removeId ?? "", addId, addAt ?? 0, header, newState]).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable("schedule recurring occurrence", e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full("schedule recurring occurrence", e); }
    }

    /// <summary>Removes one job with its state and pending occurrence; true when it existed.</summary>
    public Task<bool> RemoveRecurringAsync(string queue, string name) =>
        Run("remove recurring job", async db => (long)await db.ScriptEvaluateAsync(redis.Script(RecurringScripts.Remove), RecurringKeys(queue), [name])
            .ConfigureAwait(false) == 1);

    /// <summary>Deletes every recurring job of the queue (their pending occurrences stay in the scheduled set: purge that after); returns how many there were.</summary>
    public Task<long> PurgeRecurringAsync(string queue) =>
        Run("purge recurring jobs", async db => (long)await db.ScriptEvaluateAsync(redis.Script(RecurringScripts.Purge),
            [Keys.Recurring(queue), Keys.RecurringElements(queue), Keys.RecurringState(queue)]).ConfigureAwait(false));

    /// <summary>Every queue that has had recurring jobs (<see cref="RedisKeys.RecurringQueues"/>).</summary>
    public Task<string[]> RecurringQueuesAsync() =>
        Run("SMEMBERS recurring queues", async db => (await db.SetMembersAsync(RedisKeys.RecurringQueues).ConfigureAwait(false)).Select(v => (string)v!).ToArray());
}
