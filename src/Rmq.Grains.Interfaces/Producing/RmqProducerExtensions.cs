namespace Rmq;

/// <summary>Go rmq's plain publishes on any <see cref="IRmqProducer"/>.</summary>
public static class RmqProducerExtensions
{
    /// <summary>Adds one payload (UTF-8) to the back of the queue, as Go rmq's <c>Publish</c>.</summary>
    public static Task<PublishResult> Publish(this IRmqProducer producer, string payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return producer.Publish(RmqMessage.Text(payload), cancellationToken);
    }

    /// <summary>Adds one payload of raw bytes to the back of the queue, as Go rmq's <c>PublishBytes</c>.</summary>
    public static Task<PublishResult> PublishBytes(this IRmqProducer producer, byte[] payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return producer.Publish(RmqMessage.Bytes(payload), cancellationToken);
    }
}
