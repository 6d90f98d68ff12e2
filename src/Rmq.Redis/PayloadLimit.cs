using System.Text;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The payload size check, with the same words wherever a publish is made.</summary>
internal static class PayloadLimit
{
    /// <summary>
    /// Returns <paramref name="element"/>, or throws an <see cref="ArgumentException"/> naming
    /// <paramref name="parameter"/> when it is over <paramref name="limit"/> bytes.
    /// </summary>
    public static byte[] Check(byte[] element, long limit, string parameter)
    {
        if (element.LongLength > limit)
            throw new ArgumentException(
                $"{parameter} is {element.LongLength} bytes; the limit is {limit} bytes (Rmq:MaxPayloadBytes). Nothing was published.", parameter);
        return element;
    }

    /// <summary>
    /// A text payload as an element, checked by its UTF-8 length without encoding it here: StackExchange.Redis
    /// writes the string's UTF-8 bytes straight to the socket (lone surrogates as U+FFFD, as counted here).
    /// <paramref name="bytes"/> is that length, or an upper bound of it when the bound is within the limit.
    /// </summary>
    public static RedisValue Check(string payload, long limit, string parameter, out long bytes)
    {
        // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4): when even
        // that is within the limit, the exact count (a pass over the string) decides nothing.
        bytes = payload.Length * 3L;
        if (bytes <= limit) return payload;
        bytes = Encoding.UTF8.GetByteCount(payload);
        if (bytes > limit)
            throw new ArgumentException(
                $"{parameter} is {bytes} bytes; the limit is {limit} bytes (Rmq:MaxPayloadBytes). Nothing was published.", parameter);
        return payload;
    }

    /// <summary>
    /// The elements of a batch of text payloads (UTF-8), each checked; throws an <see cref="ArgumentException"/>
    /// naming the first null or oversized one, before anything is published.
    /// </summary>
    public static RedisValue[] Batch(IReadOnlyList<string> payloads, long limit) =>
        Batch(payloads, "a string", (p, name) => Check(p, limit, name, out _));

    /// <summary>The elements of a batch of binary payloads, each checked, as <see cref="Batch(IReadOnlyList{string}, long)"/>.</summary>
    public static RedisValue[] Batch(IReadOnlyList<byte[]> payloads, long limit) =>
        Batch(payloads, "bytes", (p, name) => Check(p, limit, name));

    private static RedisValue[] Batch<T>(IReadOnlyList<T> payloads, string kind, Func<T, string, RedisValue> element) where T : class
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var elements = new RedisValue[payloads.Count];
        for (var i = 0; i < elements.Length; i++)
        {
            if (payloads[i] is not { } payload)
                throw new ArgumentException($"payloads[{i}] is null; every payload of a batch must be {kind} (nothing was published).", nameof(payloads));
            elements[i] = element(payload, $"payloads[{i}]");
        }
        return elements;
    }
}
