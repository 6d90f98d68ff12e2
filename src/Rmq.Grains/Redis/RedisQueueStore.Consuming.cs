using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The consuming configuration of a queue, persisted so that any later activation resumes it: prefetch and poll, pause, push queue, consumer registrations (the retry policy is in RedisQueueStore.Retry.cs, the flow limits in RedisQueueStore.FlowLimits.cs, the declaration mark in RedisQueueStore.Declaration.cs).</summary>
public sealed partial class RedisQueueStore
{
    /// <summary>
    /// Persists StartConsuming's settings so a re-activation resumes, and returns whether the queue is
    /// persisted as paused (a pause holds until Resume or StopConsuming, so StartConsuming keeps it). The
    /// consuming configuration is written with allow-oom scripts, here and below: StartConsuming must work
    /// on a full Redis.
    /// </summary>
    public Task<bool> SaveConsumingAsync(string queue, int prefetchLimit, TimeSpan pollInterval) =>
        Run("HSET consuming", async db =>
        {
            var listed = AddToSetAsync(db, RedisKeys.ConsumingQueues, queue);
            var paused = db.HashExistsAsync(Keys.ConsumingConfig(queue), PausedField);
            await SetHashFieldsAsync(db, Keys.ConsumingConfig(queue),
                new HashEntry(PrefetchField, prefetchLimit),
                new HashEntry(PollField, pollInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture))).ConfigureAwait(false);
            await listed.ConfigureAwait(false);
            return await paused.ConfigureAwait(false);
        });

    /// <summary>
    /// Persists Pause (<c>HSET rmq-consuming paused 1</c>) or Resume (<c>HDEL</c>), beside the consuming
    /// settings, so every later activation of the queue, on any silo, starts paused or not. Allow-oom: a
    /// full Redis is emptied by consuming, so it must be possible to resume it.
    /// </summary>
    public Task SavePausedAsync(string queue, bool paused) =>
        Run(paused ? "HSET paused" : "HDEL paused", db => paused
            ? SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), new HashEntry(PausedField, 1))
            : db.HashDeleteAsync(Keys.ConsumingConfig(queue), PausedField));

    /// <summary>
    /// Writes the whole consuming configuration a queue holds in memory — settings, push queue and
    /// consumer registrations — as after a flush or a restart without persistence. Idempotent.
    /// </summary>
    public Task RestoreConsumingAsync(string queue, int prefetchLimit, TimeSpan pollInterval, string? pushQueue, RetryPolicy? retryPolicy, FlowLimits? limits,
        GrainId? deadLetterHandler, bool paused,
        IReadOnlyCollection<KeyValuePair<string, string>> consumers) =>
        Run("restore consuming", async db =>
        {
            var entries = new List<HashEntry>
            {
                new(PrefetchField, prefetchLimit),
                new(PollField, pollInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)),
            };
            if (pushQueue is not null) entries.Add(new HashEntry(PushField, pushQueue));
            if (paused) entries.Add(new HashEntry(PausedField, 1));
            if (limits is { IsEmpty: false }) entries.Add(new HashEntry(LimitsField, EncodeFlowLimits(limits)));
            if (deadLetterHandler is { } handler) entries.Add(new HashEntry(DeadLetterHandlerField, handler.ToString()));
            if (retryPolicy is not null)
            {
                entries.Add(new HashEntry(RetryField, EncodeRetryPolicy(retryPolicy)));
                // As SaveRetryPolicyAsync: listed before any retry is scheduled, so the cleaner moves them.
                await db.SetAddAsync(RedisKeys.ScheduledQueues, queue).ConfigureAwait(false);
            }
            var listed = AddToSetAsync(db, RedisKeys.ConsumingQueues, queue);
            var queues = AddToSetAsync(db, RedisKeys.Queues, queue);
            var grains = consumers.Count > 0
                ? SetHashFieldsAsync(db, Keys.ConsumerGrains(queue), consumers.Select(c => new HashEntry(c.Key, c.Value)).ToArray())
                : Task.CompletedTask;
            await SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), entries.ToArray()).ConfigureAwait(false);
            await listed.ConfigureAwait(false);
            await queues.ConfigureAwait(false);
            await grains.ConfigureAwait(false);
        });

    /// <summary>The persisted push queue of <paramref name="queue"/>, or null.</summary>
    public Task<string?> LoadPushQueueAsync(string queue) =>
        Run("HGET push", async db => (string?)await db.HashGetAsync(Keys.ConsumingConfig(queue), PushField).ConfigureAwait(false));

    /// <summary>Persists (or clears, for null) the push queue.</summary>
    public Task SavePushQueueAsync(string queue, string? pushQueue) =>
        Run("HSET push", db => pushQueue is null
            ? db.HashDeleteAsync(Keys.ConsumingConfig(queue), PushField)
            : SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), new HashEntry(PushField, pushQueue)));

    /// <summary>Persists one consumer registration.</summary>
    public Task SaveConsumerAsync(string queue, string name, string registration) =>
        Run("HSET consumer", db => SetHashFieldsAsync(db, Keys.ConsumerGrains(queue), new HashEntry(name, registration)));

    /// <summary>Forgets the consuming settings, a pause and the consumer registrations (the push queue stays).</summary>
    public Task ClearConsumingAsync(string queue) =>
        Run("clear consuming", async db =>
        {
            var config = db.HashDeleteAsync(Keys.ConsumingConfig(queue), [PrefetchField, PollField, PausedField]);
            var unlisted = db.SetRemoveAsync(RedisKeys.ConsumingQueues, queue);
            await db.KeyDeleteAsync(Keys.ConsumerGrains(queue)).ConfigureAwait(false);
            await config.ConfigureAwait(false);
            await unlisted.ConfigureAwait(false);
        });

    /// <summary>Reads the persisted configuration.</summary>
    internal Task<ConsumingConfig> LoadConsumingAsync(string queue) =>
        Run("HGETALL consuming", async db =>
        {
            var configTask = db.HashGetAllAsync(Keys.ConsumingConfig(queue));
            var consumers = await db.HashGetAllAsync(Keys.ConsumerGrains(queue)).ConfigureAwait(false);
            var config = (await configTask.ConfigureAwait(false)).ToDictionary(e => (string)e.Name!, e => e.Value);
            int? prefetch = config.TryGetValue(PrefetchField, out var p) ? (int)p : null;
            var poll = config.TryGetValue(PollField, out var ms)
                ? TimeSpan.FromMilliseconds(double.Parse((string)ms!, CultureInfo.InvariantCulture))
                : TimeSpan.FromSeconds(1);
            string? push = config.TryGetValue(PushField, out var q) ? (string?)q : null;
            var list = consumers.Select(e => new KeyValuePair<string, string>(e.Name!, e.Value!)).ToList();
            var retry = config.TryGetValue(RetryField, out var r) ? DecodeRetryPolicy(r) : null;
            var limits = config.TryGetValue(LimitsField, out var l) ? DecodeFlowLimits(l) : null;
            var handler = config.TryGetValue(DeadLetterHandlerField, out var h) ? ParseGrainId(h) : null;
            return new ConsumingConfig(prefetch, poll, push, list, config.ContainsKey(PausedField), retry, config.ContainsKey(RetryField) && retry is null,
                limits, config.ContainsKey(LimitsField) && limits is null,
                handler, config.ContainsKey(DeadLetterHandlerField) && handler is null);
        });
}
