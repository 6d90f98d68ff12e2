using System.Text;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Publishing;

/// <summary>
/// Publishes to one queue straight to Redis (<see cref="RmqPublisher.Queue"/>): the same methods,
/// element format, validation and errors as <see cref="IQueueGrain"/>'s publishes, without the Orleans
/// round trip. A returned publish has reached Redis; a failed one throws
/// <see cref="RedisUnavailableException"/> (with <see cref="RedisUnavailableException.TimedOut"/> when
/// Redis did not answer in time: then it may have been published), or <see cref="RedisFullException"/>
/// when Redis is over its maxmemory (then nothing was published).
/// </summary>
public sealed class QueuePublisher
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

    /// <summary>Adds one payload with headers, encoded as Go rmq does; with no headers the payload is stored unchanged.</summary>
    public Task PublishWithHeaders(string payload, IReadOnlyDictionary<string, string[]> headers)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return PublishBytesWithHeaders(Encoding.UTF8.GetBytes(payload), headers, nameof(payload));
    }

    /// <summary>Adds one binary payload with headers, encoded as Go rmq does.</summary>
    public Task PublishBytesWithHeaders(byte[] payload, IReadOnlyDictionary<string, string[]> headers) =>
        PublishBytesWithHeaders(payload, headers, nameof(payload));

    private Task PublishBytesWithHeaders(byte[] payload, IReadOnlyDictionary<string, string[]> headers, string parameter)
    {
        ArgumentNullException.ThrowIfNull(payload, parameter);
        ArgumentNullException.ThrowIfNull(headers);
        var element = PayloadLimit.Check(HeaderCodec.Encode(payload, headers), Limit, parameter);
        return _lane.PublishAsync(element, element.LongLength);
    }

    /// <summary>
    /// Publishes one payload (UTF-8) only if no delivery with <paramref name="dedupKey"/> was published to
    /// this queue within the last <paramref name="window"/> — by this publisher, another process or a
    /// queue grain (<see cref="IQueueGrain.PublishUnique"/>; the same script and key). Returns true when it
    /// published, false when the key was taken (nothing written). Not grouped with other publishes: each
    /// is its own script, so each gets its own answer.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The dedup key or window is out of bounds (<see cref="Deduplication"/>), or the payload is null or
    /// over the limit; Redis is not touched.
    /// </exception>
    public Task<bool> PublishUnique(string payload, string dedupKey, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Deduplication.Validate(dedupKey, window);
        return _publisher.PushUniqueAsync(Name, dedupKey, window, PayloadLimit.Check(payload, Limit, nameof(payload), out _));
    }

    /// <summary>Publishes one payload of raw bytes unless <paramref name="dedupKey"/> was published within <paramref name="window"/>, as <see cref="PublishUnique"/>.</summary>
    public Task<bool> PublishBytesUnique(byte[] payload, string dedupKey, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Deduplication.Validate(dedupKey, window);
        return _publisher.PushUniqueAsync(Name, dedupKey, window, PayloadLimit.Check(payload, Limit, nameof(payload)));
    }

    /// <summary>
    /// Publishes one payload (UTF-8) that reaches ready after <paramref name="delay"/>, exactly as
    /// <see cref="IQueueGrain.PublishDelayed"/> (the same script and keys); returns its id for
    /// <see cref="CancelScheduled"/>. A delay of 0 publishes at once. The queue's scheduler (an active
    /// queue grain) or the cleaner's next pass moves it when due.
    /// </summary>
    /// <exception cref="ArgumentException">The payload is null or over the limit, or the delay is negative or over <see cref="Scheduling.MaxDelay"/>; Redis is not touched.</exception>
    public Task<string> PublishDelayed(string payload, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Scheduling.ValidateDelay(delay);
        return ScheduleOne(PayloadLimit.Check(payload, Limit, nameof(payload), out _), true, Scheduling.DelayMilliseconds(delay));
    }

    /// <summary>Publishes one payload of raw bytes after <paramref name="delay"/>, as <see cref="PublishDelayed"/>.</summary>
    public Task<string> PublishBytesDelayed(byte[] payload, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Scheduling.ValidateDelay(delay);
        return ScheduleOne(PayloadLimit.Check(payload, Limit, nameof(payload)), true, Scheduling.DelayMilliseconds(delay));
    }

    /// <summary>Publishes one payload (UTF-8) at <paramref name="due"/>, as <see cref="IQueueGrain.PublishAt"/>; a due time not in the future publishes at once.</summary>
    /// <exception cref="ArgumentException">The payload is null or over the limit, or <paramref name="due"/> is more than <see cref="Scheduling.MaxDelay"/> from now; Redis is not touched.</exception>
    public Task<string> PublishAt(string payload, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Scheduling.ValidateDue(due);
        return ScheduleOne(PayloadLimit.Check(payload, Limit, nameof(payload), out _), false, Scheduling.DueMilliseconds(due));
    }

    /// <summary>Publishes one payload of raw bytes at <paramref name="due"/>, as <see cref="PublishAt"/>.</summary>
    public Task<string> PublishBytesAt(byte[] payload, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Scheduling.ValidateDue(due);
        return ScheduleOne(PayloadLimit.Check(payload, Limit, nameof(payload)), false, Scheduling.DueMilliseconds(due));
    }

    /// <summary>Publishes one payload with rmq headers at <paramref name="due"/>, as <see cref="PublishAt"/>.</summary>
    public Task<string> PublishWithHeadersAt(string payload, IReadOnlyDictionary<string, string[]> headers, DateTimeOffset due)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return PublishBytesWithHeadersAt(Encoding.UTF8.GetBytes(payload), headers, due, nameof(payload));
    }

    /// <summary>Publishes one binary payload with rmq headers at <paramref name="due"/>, as <see cref="PublishAt"/>.</summary>
    public Task<string> PublishBytesWithHeadersAt(byte[] payload, IReadOnlyDictionary<string, string[]> headers, DateTimeOffset due) =>
        PublishBytesWithHeadersAt(payload, headers, due, nameof(payload));

    private Task<string> PublishBytesWithHeadersAt(byte[] payload, IReadOnlyDictionary<string, string[]> headers, DateTimeOffset due, string parameter)
    {
        ArgumentNullException.ThrowIfNull(payload, parameter);
        ArgumentNullException.ThrowIfNull(headers);
        Scheduling.ValidateDue(due);
        return ScheduleOne(PayloadLimit.Check(HeaderCodec.Encode(payload, headers), Limit, parameter), false, Scheduling.DueMilliseconds(due));
    }

    /// <summary>Schedules several payloads (UTF-8) for one due time in one script, as <see cref="IQueueGrain.PublishBatchAt"/>; one id per payload.</summary>
    public async Task<IReadOnlyList<string>> PublishBatchAt(IReadOnlyList<string> payloads, DateTimeOffset due)
    {
        var elements = PayloadLimit.Batch(payloads, Limit);
        Scheduling.ValidateDue(due);
        if (elements.Length == 0) return [];
        var ids = ScheduleCommands.NewIds(elements.Length);
        await _publisher.ScheduleAsync(Name, false, Scheduling.DueMilliseconds(due), ids, elements).ConfigureAwait(false);
        return ids;
    }

    /// <summary>
    /// Cancels a delayed or scheduled delivery not yet due, as <see cref="IQueueGrain.CancelScheduled"/>:
    /// true when it removed it; false for an unknown, cancelled or already moved id.
    /// </summary>
    public Task<bool> CancelScheduled(string id)
    {
        Scheduling.ValidateId(id);
        return _publisher.CancelScheduledAsync(Name, id);
    }

    private async Task<string> ScheduleOne(RedisValue element, bool isDelay, long milliseconds)
    {
        var id = ScheduleCommands.NewId();
        await _publisher.ScheduleAsync(Name, isDelay, milliseconds, [id], [element]).ConfigureAwait(false);
        return id;
    }

    /// <summary>Adds several payloads with one <c>LPUSH</c>; they are consumed in list order. An empty list publishes nothing.</summary>
    public Task PublishBatch(IReadOnlyList<string> payloads) => PublishElements(PayloadLimit.Batch(payloads, Limit));

    /// <summary>Adds several binary payloads with one <c>LPUSH</c>; they are consumed in list order.</summary>
    public Task PublishBytesBatch(IReadOnlyList<byte[]> payloads) => PublishElements(PayloadLimit.Batch(payloads, Limit));

    private Task PublishElements(RedisValue[] elements) =>
        elements.Length == 0 ? Task.CompletedTask : _publisher.PushAsync(Name, _ready, elements);
}
