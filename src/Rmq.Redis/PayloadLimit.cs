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
    /// The elements of a batch of text payloads (UTF-8), each checked; throws an <see cref="ArgumentException"/>
    /// naming the first null or oversized one, before anything is published.
    /// </summary>
    public static RedisValue[] Batch(IReadOnlyList<string> payloads, long limit) =>
        Batch(payloads, limit, "a string", static p => Encoding.UTF8.GetBytes(p));

    /// <summary>The elements of a batch of binary payloads, each checked, as <see cref="Batch(IReadOnlyList{string}, long)"/>.</summary>
    public static RedisValue[] Batch(IReadOnlyList<byte[]> payloads, long limit) =>
        Batch(payloads, limit, "bytes", static p => p);

    private static RedisValue[] Batch<T>(IReadOnlyList<T> payloads, long limit, string kind, Func<T, byte[]> encode) where T : class
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var elements = new RedisValue[payloads.Count];
        for (var i = 0; i < elements.Length; i++)
        {
            if (payloads[i] is not { } payload)
                throw new ArgumentException($"payloads[{i}] is null; every payload of a batch must be {kind} (nothing was published).", nameof(payloads));
            elements[i] = Check(encode(payload), limit, $"payloads[{i}]");
        }
        return elements;
    }
}
