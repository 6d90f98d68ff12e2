namespace Rmq;

/// <summary>
/// The grain path of <see cref="IRmqProducer"/>: each publish is a call to the queue grain, which writes to
/// Redis and wakes its consuming engine at once. Made by <see cref="QueueGrainProducerExtensions.AsProducer"/>.
/// </summary>
internal sealed class QueueGrainProducer(IQueueGrain queue) : IRmqProducer
{
    public string QueueName { get; } = queue.GetPrimaryKeyString();

    public Task<PublishResult> Publish(RmqMessage message, CancellationToken cancellationToken = default)
    {
        // Checked by the grain, the one place for both paths' rules (Rmq.Redis's MessagePublishing).
        cancellationToken.ThrowIfCancellationRequested();
        return queue.Publish(message).WaitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return queue.PublishBatch(messages).WaitAsync(cancellationToken);
    }

    public Task<bool> CancelScheduled(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return queue.CancelScheduled(id).WaitAsync(cancellationToken);
    }
}

/// <summary>The grain path as an <see cref="IRmqProducer"/>.</summary>
public static class QueueGrainProducerExtensions
{
    /// <summary>
    /// This queue grain as an <see cref="IRmqProducer"/>: <c>client.GetGrain&lt;IQueueGrain&gt;("tasks").AsProducer()</c>.
    /// Works from an Orleans client and from grain code in a silo.
    /// </summary>
    public static IRmqProducer AsProducer(this IQueueGrain queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return new QueueGrainProducer(queue);
    }
}
