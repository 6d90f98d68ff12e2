using Rmq.Diagnostics;
using Rmq.Redis;
using Rmq.Redis.Publishing;
using StackExchange.Redis;

namespace Rmq.Queue.Publishing;

/// <summary>
/// The queue grain's publishes: the Go rmq conveniences (one LPUSH each) and <see cref="RmqMessage"/>s
/// through <see cref="MessagePublishing"/>, the plan both publish paths share. After each write it counts
/// the publish, wakes the consuming engine (deliveries in ready) or arms the scheduler (deliveries
/// scheduled). It also knows whether this activation has listed the queue in <c>rmq::queues</c>, so the
/// <c>SADD</c> goes with the first write only. Runs on the grain's scheduler: it holds no turn across Redis.
/// </summary>
/// <param name="queue">The queue's name (validated by the grain before any call).</param>
/// <param name="store">The Redis store.</param>
/// <param name="maxPayloadBytes">The element limit (<c>Rmq:MaxPayloadBytes</c>).</param>
/// <param name="metrics">Where publishes are counted.</param>
/// <param name="wake">Wakes the queue's consuming engine, if any.</param>
/// <param name="armScheduler">Makes the queue's scheduler look within the given time.</param>
internal sealed class QueuePublishing(
    string queue,
    RedisQueueStore store,
    long maxPayloadBytes,
    RmqMetrics metrics,
    Action wake,
    Action<TimeSpan> armScheduler) : IPublishTarget
{
    /// <summary>True once this activation (or Redis, through a script) has listed the queue in <c>rmq::queues</c>.</summary>
    public bool Listed { get; set; }

    public Task Publish(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return PushOneAsync(PayloadLimit.Check(payload, maxPayloadBytes, nameof(payload), out _));
    }

    public Task PublishBytes(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return PushOneAsync(PayloadLimit.Check(payload, maxPayloadBytes, nameof(payload)));
    }

    public Task PublishBatch(IReadOnlyList<string> payloads) => PushElementsAsync(PayloadLimit.Batch(payloads, maxPayloadBytes));

    public Task PublishBytesBatch(IReadOnlyList<byte[]> payloads) => PushElementsAsync(PayloadLimit.Batch(payloads, maxPayloadBytes));

    public Task<PublishResult> Publish(RmqMessage message) => MessagePublishing.PublishAsync(this, message, maxPayloadBytes);

    public Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages) =>
        MessagePublishing.PublishBatchAsync(this, messages, maxPayloadBytes);

    public Task<bool> CancelScheduled(string id)
    {
        Scheduling.ValidateId(id);
        return store.CancelScheduledAsync(queue, id);
    }

    private async Task PushOneAsync(RedisValue element)
    {
        await store.PublishAsync(queue, element, listQueue: !Listed);
        Published(1);
    }

    private Task PushElementsAsync(RedisValue[] elements) => elements.Length == 0 ? Task.CompletedTask : PushAsync(elements);

    public async Task PushAsync(RedisValue[] elements)
    {
        await store.PublishAsync(queue, elements, listQueue: !Listed);
        Published(elements.Length);
    }

    public async Task<bool> PushUniqueAsync(string dedupKey, TimeSpan window, RedisValue element)
    {
        var published = await store.PublishUniqueAsync(queue, dedupKey, window, element, listQueue: !Listed);
        // Listed either way: the SADD went with the script.
        Listed = true;
        if (published) Published(1);
        return published;
    }

    public async Task<bool> ScheduleAsync(bool isDelay, long milliseconds, string[] ids, RedisValue[] elements)
    {
        var atOnce = await store.ScheduleAsync(queue, isDelay, milliseconds, ids, elements, listQueue: !Listed);
        Scheduled(elements.Length, atOnce, isDelay, milliseconds);
        return atOnce;
    }

    public async Task<long> ScheduleUniqueAsync(string dedupKey, TimeSpan window, bool isDelay, long milliseconds, string id, RedisValue element)
    {
        var answer = await store.ScheduleUniqueAsync(queue, dedupKey, window, isDelay, milliseconds, id, element, listQueue: !Listed);
        Listed = true;
        if (answer != ScheduleCommands.Deduplicated) Scheduled(1, answer == 0, isDelay, milliseconds);
        return answer;
    }

    private void Published(int count)
    {
        metrics.Published(queue, count);
        Listed = true;
        wake();
    }

    private void Scheduled(int count, bool atOnce, bool isDelay, long milliseconds)
    {
        if (atOnce)
        {
            Published(count);
            return;
        }
        metrics.Published(queue, count);
        Listed = true;
        // This machine's clock for a due time, Redis's for a delay: the scheduler asks Redis again when
        // it fires, so a skew only makes it look once more, never moves a delivery early.
        armScheduler(isDelay
            ? TimeSpan.FromMilliseconds(milliseconds)
            : DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) - DateTimeOffset.UtcNow);
    }
}
