using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rmq;

namespace Rmq.Samples.Silo;

/// <summary>The consumer grain of the queue <c>orders</c>.</summary>
public interface IOrderConsumer : IConsumerGrain, IGrainWithStringKey;

/// <summary>Reads the order the API published; acks it, or rejects a payload that is not an order (it stays in <c>rejected</c> for a look).</summary>
public sealed partial class OrderConsumer(ILogger<OrderConsumer> logger) : Grain, IOrderConsumer
{
    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        Order? order;
        try
        {
            order = JsonSerializer.Deserialize<Order>(delivery.PayloadBytes, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            order = null;
        }
        if (order is null)
        {
            LogNotAnOrder(delivery.Payload);
            return Task.FromResult(DeliveryOutcome.Reject);
        }
        // Work that fails throws: the delivery is pushed or retried as the queue is configured (README: the outcome model).
        LogConsumed(order.Id, order.Amount);
        return Task.FromResult(DeliveryOutcome.Ack);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "order consumed: {OrderId} ({Amount})")]
    private partial void LogConsumed(string orderId, decimal amount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "not an order, rejected: {Payload}")]
    private partial void LogNotAnOrder(string payload);
}

/// <summary>The order, as the API sample publishes it (JSON, web casing).</summary>
public sealed record Order(string Id, decimal Amount);
