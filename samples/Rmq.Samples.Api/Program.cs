using System.Text.Json;
using Rmq;
using Rmq.Publishing;

// dotnet run --project samples/Rmq.Samples.Api   (then: curl -X POST localhost:5080/orders -H 'content-type: application/json' -d '{"id":"o-1","amount":12.5}')
// Settings: appsettings.json, then the command line (--Rmq:RedisConnectionString host:port, --urls http://127.0.0.1:5080).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var redis = builder.Configuration["Rmq:RedisConnectionString"] ?? "localhost:6379";
// The direct publisher: one LPUSH to Redis per order, no Orleans round trip; the silo's queue is woken at once.
builder.Services.AddRmqPublisher(o => o.RedisConnectionString = redis);

var app = builder.Build();
var orders = app.Services.GetRequiredService<RmqPublisher>().Queue("orders");

// Publishes the order once per id: a retried request within 10 minutes is answered 409 and publishes nothing.
app.MapPost("/orders", async (Order order) =>
{
    if (string.IsNullOrWhiteSpace(order.Id)) return Results.BadRequest("id is required");
    var payload = JsonSerializer.Serialize(order, JsonSerializerOptions.Web);
    var result = await orders.Publish(RmqMessage.Text(payload).Unique(dedupKey: order.Id, window: TimeSpan.FromMinutes(10)));
    return result.IsPublished ? Results.Accepted($"/orders/{order.Id}", order) : Results.Conflict($"order {order.Id} was already published");
});

app.Run();

/// <summary>An order as the API receives it and the silo's consumer reads it.</summary>
public sealed record Order(string Id, decimal Amount);
