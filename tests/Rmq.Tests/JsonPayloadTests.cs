namespace Rmq.Tests;

[Collection(ClassicCollection.Name)]
public sealed class JsonPayloadTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    public sealed record Order(int Id, string Customer, decimal Total);

    [Fact]
    public async Task PublishJson_IsConsumedAndReadBackWithGetJson()
    {
        var name = RmqClusterFixture.UniqueName("json");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(10));
        await queue.AddConsumer("json", consumer);
        await queue.AsProducer().PublishJson(new Order(7, "Ada", 12.5m));
        await Eventually.Equal(1, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var delivery = (await consumer.GetDeliveries())[0];
        Assert.Equal("""{"Id":7,"Customer":"Ada","Total":12.5}""", delivery.Payload);
        Assert.Equal(new Order(7, "Ada", 12.5m), delivery.GetJson<Order>());
        Assert.Throws<System.Text.Json.JsonException>(() => (delivery with { PayloadBytes = "not json"u8.ToArray() }).GetJson<Order>());
        await queue.StopConsuming();
    }
}
