using System.Text.Json;

namespace Rmq;

/// <summary>JSON payloads on top of the byte-oriented queue API.</summary>
public static class JsonPayloads
{
    /// <summary>
    /// Publishes <paramref name="value"/> as UTF-8 JSON, on either path (<see cref="RmqMessage.Json"/>; add
    /// headers or options with <c>producer.Publish(RmqMessage.Json(value).WithHeader(...))</c>).
    /// </summary>
    public static Task<PublishResult> PublishJson<T>(this IRmqProducer producer, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return producer.Publish(RmqMessage.Json(value, options), cancellationToken);
    }

    /// <summary>Reads the delivery's payload as JSON; throws <see cref="JsonException"/> when it is not.</summary>
    public static T? GetJson<T>(this Delivery delivery, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return JsonSerializer.Deserialize<T>(delivery.PayloadBytes, options);
    }
}
