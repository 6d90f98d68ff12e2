using System.Text.Json;

namespace Rmq;

/// <summary>JSON payloads on top of the byte-oriented queue API.</summary>
public static class JsonPayloads
{
    /// <summary>Publishes <paramref name="value"/> serialized as UTF-8 JSON.</summary>
    public static Task PublishJson<T>(this IQueueGrain queue, T value, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return queue.PublishBytes(JsonSerializer.SerializeToUtf8Bytes(value, options));
    }

    /// <summary>
    /// Publishes <paramref name="value"/> as JSON with rmq headers (build them with
    /// <see cref="RmqHeaders.Create"/>, add the trace with <see cref="RmqTracing.WithTraceContext"/>).
    /// </summary>
    public static Task PublishJson<T>(this IQueueGrain queue, T value, IReadOnlyDictionary<string, string[]> headers, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(headers);
        return queue.PublishWithHeaders(JsonSerializer.Serialize(value, options), headers);
    }

    /// <summary>Reads the delivery's payload as JSON; throws <see cref="JsonException"/> when it is not.</summary>
    public static T? GetJson<T>(this Delivery delivery, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return JsonSerializer.Deserialize<T>(delivery.PayloadBytes, options);
    }
}
