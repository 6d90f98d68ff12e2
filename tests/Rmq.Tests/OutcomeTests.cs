namespace Rmq.Tests;

/// <summary>What becomes of a delivery when the consumer does not return an outcome.</summary>
[Trait("Garnet", "core")]
[Collection(ClassicCollection.Name)]
public sealed class OutcomeTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    [Fact]
    public async Task AThrowingConsumer_CountsAsPush_WhichIsRejectWithoutAPushQueue()
    {
        var name = RmqClusterFixture.UniqueName("throw");
        var queue = Queue(name);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(5));
        await queue.AddConsumer("throw", await ConsumerAsync(ConsumerBehaviour.Throwing));
        await queue.PublishBatch(["t1", "t2"]);
        await EventuallyCounts(name, 0, 0, 2);

        var target = RmqClusterFixture.UniqueName("throw-push");
        await queue.SetPushQueue(target);
        await queue.Publish("t3");
        await Eventually.Equal(1L, () => Ready(target), "pushed");
        Assert.Equal((0, 0, 2), await Counts(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ABatchConsumerReturningTheWrongNumberOfOutcomes_PushesTheWholeBatch()
    {
        var name = RmqClusterFixture.UniqueName("short");
        var queue = Queue(name);
        var consumer = await BatchConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(5));
        await queue.AddBatchConsumer("short", consumer, 3, TimeSpan.FromMilliseconds(20));
        await queue.PublishBatch(["s1", "s2", "s3"]);
        await Eventually.Equal(1, async () => (await consumer.GetBatches()).Count, "batches");
        await consumer.Finish([DeliveryOutcome.Ack]);
        await EventuallyCounts(name, 0, 0, 3);
        await queue.StopConsuming();
    }
}
