using Rmq.Redis;
using Rmq.Redis.Publishing;
using StackExchange.Redis;

namespace Rmq.Publishing;

/// <summary>
/// Publishes to one queue straight to Redis (<see cref="RmqPublisher.Queue"/>): the direct path of
/// <see cref="IRmqProducer"/>, with the same element format, validation and errors as the grain path
/// (<see cref="QueueGrainProducerExtensions.AsProducer"/>), without the Orleans round trip. A returned publish has reached Redis; a failed one throws
/// <see cref="RedisUnavailableException"/> (with <see cref="RedisUnavailableException.TimedOut"/> when
/// Redis did not answer in time: then it may have been published), or <see cref="RedisFullException"/>
/// when Redis is over its maxmemory (then nothing was published).
/// </summary>
public sealed class QueuePublisher : IRmqProducer, IPublishTarget
{
    private readonly RmqPublisher _publisher;
    private readonly PublishLane _lane;
    private readonly RedisKey _ready;

    internal QueuePublisher(RmqPublisher publisher, string name)
    {
        _publisher = publisher;
        Name = name;
        _lane = publisher.Lane(name);
        _ready = publisher.Keys.Ready(name);
    }

    /// <summary>The queue's name.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public string QueueName => Name;

    private long Limit => _publisher.Options.MaxPayloadBytes;

    /// <summary>Adds one payload (UTF-8) to the back of the queue: <c>LPUSH ready</c>.</summary>
    public Task Publish(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var element = PayloadLimit.Check(payload, Limit, nameof(payload), out var bytes);
        return _lane.PublishAsync(element, bytes);
    }

    /// <summary>Adds one payload of raw bytes to the back of the queue.</summary>
    public Task PublishBytes(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return _lane.PublishAsync(PayloadLimit.Check(payload, Limit, nameof(payload)), payload.LongLength);
    }

    /// <inheritdoc/>
    public Task<PublishResult> Publish(RmqMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return MessagePublishing.PublishAsync(this, message, Limit).WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return MessagePublishing.PublishBatchAsync(this, messages, Limit).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels a delayed or scheduled delivery not yet due (an id from <see cref="PublishResult.ScheduledId"/>):
    /// true when it removed it; false for an unknown, cancelled or already moved id.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or longer than <see cref="Scheduling.MaxIdLength"/>.</exception>
    public Task<bool> CancelScheduled(string id, CancellationToken cancellationToken = default)
    {
        Scheduling.ValidateId(id);
        cancellationToken.ThrowIfCancellationRequested();
        return _publisher.CancelScheduledAsync(Name, id).WaitAsync(cancellationToken);
    }

    Task IPublishTarget.PushAsync(RedisValue[] elements) =>
        elements.Length == 1 ? _lane.PublishAsync(elements[0], elements[0].Length()) : _publisher.PushAsync(Name, _ready, elements);

    Task<bool> IPublishTarget.PushUniqueAsync(string dedupKey, TimeSpan window, RedisValue element) =>
        _publisher.PushUniqueAsync(Name, dedupKey, window, element);

    Task<bool> IPublishTarget.ScheduleAsync(bool isDelay, long milliseconds, string[] ids, RedisValue[] elements) =>
        _publisher.ScheduleAsync(Name, isDelay, milliseconds, ids, elements);

    Task<long> IPublishTarget.ScheduleUniqueAsync(string dedupKey, TimeSpan window, bool isDelay, long milliseconds, string id, RedisValue element) =>
        _publisher.ScheduleUniqueAsync(Name, dedupKey, window, isDelay, milliseconds, id, element);

    /// <summary>Adds several payloads with one <c>LPUSH</c>; they are consumed in list order. An empty list publishes nothing.</summary>
    public Task PublishBatch(IReadOnlyList<string> payloads) => PublishElements(PayloadLimit.Batch(payloads, Limit));

    /// <summary>Adds several binary payloads with one <c>LPUSH</c>; they are consumed in list order.</summary>
    public Task PublishBytesBatch(IReadOnlyList<byte[]> payloads) => PublishElements(PayloadLimit.Batch(payloads, Limit));

    private Task PublishElements(RedisValue[] elements) =>
        elements.Length == 0 ? Task.CompletedTask : _publisher.PushAsync(Name, _ready, elements);
}
