using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The dead-letter handler's persistence (a field of the consuming configuration) and its notices' list.</summary>
public sealed partial class RedisQueueStore
{
    private const string DeadLetterHandlerField = "dead-letter-handler";

    /// <summary>
    /// Persists the dead-letter handler's grain id (<c>HSET rmq-consuming dead-letter-handler …</c>), or removes it with the
    /// notices not yet handled (no one would be called for them). Allow-oom, as the rest of the consuming configuration.
    /// </summary>
    public Task SaveDeadLetterHandlerAsync(string queue, GrainId? handler) =>
        Run(handler is null ? "HDEL dead-letter-handler" : "HSET dead-letter-handler", async db =>
        {
            if (handler is { } id)
            {
                await SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), new HashEntry(DeadLetterHandlerField, id.ToString())).ConfigureAwait(false);
                return;
            }
            await db.HashDeleteAsync(Keys.ConsumingConfig(queue), DeadLetterHandlerField).ConfigureAwait(false);
            await db.KeyDeleteAsync(Keys.DeadLetterNotices(queue)).ConfigureAwait(false);
        });

    /// <summary>The persisted dead-letter handler, or null (also for a value that is not a grain id; the caller logs it).</summary>
    public Task<GrainId?> LoadDeadLetterHandlerAsync(string queue) =>
        Run("HGET dead-letter-handler", async db => ParseGrainId(await db.HashGetAsync(Keys.ConsumingConfig(queue), DeadLetterHandlerField).ConfigureAwait(false)));

    /// <summary>Up to <paramref name="count"/> notices, oldest first.</summary>
    internal Task<RedisValue[]> OldestDeadLetterNoticesAsync(string queue, int count) =>
        Run("LRANGE dead-letter notices", async db =>
        {
            var newestFirst = await db.ListRangeAsync(Keys.DeadLetterNotices(queue), -count, -1).ConfigureAwait(false);
            Array.Reverse(newestFirst);
            return newestFirst;
        });

    /// <summary>Removes the oldest notice if it is <paramref name="notice"/>; whether it was.</summary>
    internal Task<bool> RemoveOldestDeadLetterNoticeAsync(string queue, RedisValue notice) =>
        Run("remove dead-letter notice", async db =>
            (long)await db.ScriptEvaluateAsync(redis.Script(DeadLetterScripts.RemoveOldestIf), [Keys.DeadLetterNotices(queue)], [notice]).ConfigureAwait(false) == 1);

    /// <summary>How many notices wait for the handler.</summary>
    internal Task<long> DeadLetterNoticeCountAsync(string queue) =>
        Run("LLEN dead-letter notices", db => db.ListLengthAsync(Keys.DeadLetterNotices(queue)));

    private static GrainId? ParseGrainId(RedisValue value)
    {
        if (value.IsNullOrEmpty) return null;
        try
        {
            return GrainId.Parse((string)value!);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            return null;
        }
    }
}
