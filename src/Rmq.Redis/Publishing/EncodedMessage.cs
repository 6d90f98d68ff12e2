using StackExchange.Redis;

namespace Rmq.Redis.Publishing;

/// <summary>
/// A message checked and turned into what Redis stores: the element (Go rmq's format: the payload, or the
/// header and the payload) and its schedule in milliseconds.
/// </summary>
internal readonly record struct EncodedMessage(RedisValue Element, bool IsScheduled, bool IsDelay, long Milliseconds, string? DedupKey, TimeSpan DedupWindow)
{
    /// <summary>
    /// Checks a message (<see cref="PublishOptions.Validate"/>, the payload limit) and encodes it.
    /// A delay of 0 is no schedule: it is published at once, without the scheduled set.
    /// </summary>
    /// <exception cref="ArgumentException">The message is null, over the limit, or has an option out of range.</exception>
    /// <param name="message">The message.</param>
    /// <param name="limit">The element limit in bytes.</param>
    /// <param name="index">Its index in a batch, which errors then name; null for a single publish.</param>
    public static EncodedMessage From(RmqMessage? message, long limit, int? index)
    {
        var parameter = index is { } i ? $"messages[{i}]" : "message";
        if (message is null) throw new ArgumentNullException(parameter, $"{parameter} is null; publish an RmqMessage (RmqMessage.Text, Bytes or Json). Nothing was published.");
        // A single publish's error names the payload, which is what is too big; a batch's names the message.
        var payload = index is null ? "payload" : parameter;
        var options = message.Options;
        options.Validate();
        var element = message.Headers.Count == 0
            ? PayloadLimit.Check(message.Body, limit, payload)
            : PayloadLimit.Check(HeaderCodec.Encode(message.Body, message.Headers), limit, payload);
        return options switch
        {
            { Delay: { } delay } when delay > TimeSpan.Zero =>
                new(element, true, true, Scheduling.DelayMilliseconds(delay), options.DedupKey, options.DedupWindow),
            { DueAt: { } due } => new(element, true, false, Scheduling.DueMilliseconds(due), options.DedupKey, options.DedupWindow),
            _ => new(element, false, false, 0, options.DedupKey, options.DedupWindow),
        };
    }
}
