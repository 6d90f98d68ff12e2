namespace Rmq;

/// <summary>
/// Publishes messages to one queue. Two implementations with the same behaviour, elements and errors:
/// the grain path (<c>GetGrain&lt;IQueueGrain&gt;("tasks").AsProducer()</c>, an Orleans call to the queue
/// grain) and the direct path (<c>RmqPublisher.Queue("tasks")</c>, straight to Redis; the faster one for
/// producers outside the silos). Application code written against this interface can switch between them,
/// and tests can run against either.
/// </summary>
/// <remarks>
/// Errors: <see cref="ArgumentException"/> (the message names the field and the rule) for bad input, with
/// Redis untouched; <see cref="RedisUnavailableException"/> when Redis cannot be reached or did not answer
/// in time (with <see cref="RedisUnavailableException.TimedOut"/> the message may have been published);
/// <see cref="RedisFullException"/> when Redis is over its maxmemory (nothing was published).
/// Cancellation is honoured until the publish is sent; a publish that was sent may complete in Redis even
/// when the caller stops waiting for it.
/// </remarks>
public interface IRmqProducer
{
    /// <summary>The queue this producer publishes to.</summary>
    string QueueName { get; }

    /// <summary>
    /// Publishes one message as its <see cref="RmqMessage.Options"/> say: to the back of ready (one
    /// <c>LPUSH</c> of the Go rmq element), to the scheduled set, or not at all when deduplicated.
    /// </summary>
    /// <exception cref="ArgumentException">The message is null, its payload is over the limit, or an option is out of range (<see cref="PublishOptions.Validate"/>).</exception>
    Task<PublishResult> Publish(RmqMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes several messages, one result per message in the same order. The messages that go to
    /// ready at once without deduplication are one <c>LPUSH</c> and are consumed in list order; those
    /// that share one schedule are one script; each deduplicated one is its own script. All are
    /// validated before any is written. An empty list publishes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A message is null or invalid (the message names its index); nothing was published.</exception>
    Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a scheduled message that is not yet due. True when it removed it; false for an id that is
    /// unknown, already cancelled, or already moved to ready.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or longer than <see cref="Scheduling.MaxIdLength"/>.</exception>
    Task<bool> CancelScheduled(string id, CancellationToken cancellationToken = default);
}
