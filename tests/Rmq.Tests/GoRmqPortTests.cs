using System.Text;

namespace Rmq.Tests;

/// <summary>
/// Go rmq's behavioural suite (RMQ-SEMANTICS §9.1, cases 3–11, 18, 19) ported to the grain API,
/// asserting the same ready / unacked / rejected counts. Run in both key dialects by the subclasses.
/// Where Rmq deliberately differs from Go rmq (StopConsuming hands back prefetched deliveries; a
/// consumer returns its outcome instead of calling Ack), the test says so.
/// </summary>
public abstract class GoRmqPortTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(1);

    [Fact] // §9.1 #3 TestQueueCommon
    public async Task QueueCommon_PurgeCountsAndConsumerRegistration()
    {
        var name = RmqClusterFixture.UniqueName("queue-q");
        var queue = Queue(name);
        Assert.Equal(0, await queue.PurgeReady());
        Assert.Equal(0, await Ready(name));
        await queue.Publish("queue-d1");
        Assert.Equal(1, await Ready(name));
        await queue.Publish("queue-d2");
        Assert.Equal(2, await Ready(name));
        Assert.Equal(2, await queue.PurgeReady());
        Assert.Equal(0, await Ready(name));
        Assert.Equal(0, await queue.PurgeReady());
        Assert.Null(await queue.GetConnectionName());

        await queue.StartConsuming(10, Poll);
        var first = (await queue.GetConnectionName())!;
        Assert.Equal([(RedisValue)name], await Db.SetMembersAsync(RedisKeys.ConnectionQueues(first)));
        // Same settings again: nothing happens. Other settings: unlike Go's ErrorAlreadyConsuming, Rmq changes
        // them (start-up code of a new release), on a new connection; the old one is closed.
        await queue.StartConsuming(10, Poll);
        Assert.Equal(first, await queue.GetConnectionName());
        await queue.StartConsuming(11, Poll);
        var connection = (await queue.GetConnectionName())!;
        Assert.NotEqual(first, connection);
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, first));
        Assert.Equal([(RedisValue)name], await Db.SetMembersAsync(RedisKeys.ConnectionQueues(connection)));

        var name1 = await queue.AddConsumer("queue-cons1", await ConsumerAsync(ConsumerBehaviour.AutoAck));
        Assert.Matches("^queue-cons1-[A-Za-z0-9]{6}$", name1);
        Assert.Equal([(RedisValue)name1], await Db.SetMembersAsync(Keys.Consumers(connection, name)));
        await queue.AddConsumer("queue-cons2", await ConsumerAsync(ConsumerBehaviour.AutoAck));
        Assert.Equal(2, await Db.SetLengthAsync(Keys.Consumers(connection, name)));
        await queue.StopConsuming();
    }

    [Fact] // §9.1 #4 TestConsumerCommon (acking header-wrapped payloads: rmq #137/#138)
    public async Task ConsumerCommon_HeadersAckRejectAndPurgeRejected()
    {
        var name = RmqClusterFixture.UniqueName("cons-q");
        var queue = Queue(name);
        await queue.PurgeReady();
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("cons-cons", consumer);
        Assert.Empty(await consumer.GetDeliveries());

        await queue.Publish(RmqMessage.Text("cons-d1").WithHeaders(Headers("foo", "bar1")));
        await EventuallyCounts(name, 0, 1, 0);
        await Eventually.Equal(1, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var first = (await consumer.GetDeliveries())[0];
        Assert.Equal("cons-d1", first.Payload);
        Assert.Equal(["bar1"], first.Headers["foo"]);
        // The unacked list holds the raw element, header and all: that is what the ack must remove.
        var connection = (await queue.GetConnectionName())!;
        var raw = (byte[])(await Db.ListGetByIndexAsync(Keys.Unacked(connection, name), 0))!;
        Assert.Equal(HeaderCodec.Encode("cons-d1"u8, Headers("foo", "bar1")), raw);

        await queue.Publish(RmqMessage.Text("cons-d2").WithHeaders(Headers("foo", "bar2")));
        await EventuallyCounts(name, 0, 2, 0);
        await consumer.Finish(DeliveryOutcome.Ack);
        await EventuallyCounts(name, 0, 1, 0);
        await Eventually.Equal(2, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var second = (await consumer.GetDeliveries())[1];
        Assert.Equal("cons-d2", second.Payload);
        Assert.Equal("bar2", second.GetHeader("foo"));
        await consumer.Finish(DeliveryOutcome.Ack);
        await EventuallyCounts(name, 0, 0, 0);

        await queue.Publish(RmqMessage.Text("cons-d3").WithHeaders(Headers("foo", "bar3")));
        await EventuallyCounts(name, 0, 1, 0);
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
        Assert.Equal("bar3", (await consumer.GetDeliveries())[2].GetHeader("foo"));
        await consumer.Finish(DeliveryOutcome.Reject);
        await EventuallyCounts(name, 0, 0, 1);

        await queue.Publish("cons-d4");
        await EventuallyCounts(name, 0, 1, 1);
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
        Assert.Empty((await consumer.GetDeliveries())[3].Headers);
        await consumer.Finish(DeliveryOutcome.Reject);
        await EventuallyCounts(name, 0, 0, 2);
        Assert.Equal(2, await queue.PurgeRejected());
        Assert.Equal(0, await Rejected(name));
        Assert.Equal(0, await queue.PurgeRejected());

        var funcName = RmqClusterFixture.UniqueName("cons-func-q");
        var funcQueue = Queue(funcName);
        var acking = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await funcQueue.StartConsuming(10, Poll);
        await funcQueue.AddConsumer("cons-func", acking);
        await funcQueue.Publish("cons-func-payload");
        await EventuallyCounts(funcName, 0, 0, 0);
        await Eventually.Equal("cons-func-payload", async () => string.Join(",", await Payloads(acking)), "forwarded payload");
        await queue.StopConsuming();
        await funcQueue.StopConsuming();
    }

    [Fact] // §9.1 #5 TestMulti
    public async Task Multi_PrefetchFillsToTheLimitAndRefillsAfterEachAck()
    {
        var name = RmqClusterFixture.UniqueName("multi-q");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, 20).Select(i => $"multi-d{i}").ToList());
        Assert.Equal(20, await Ready(name));
        await queue.StartConsuming(10, Poll);
        await EventuallyCounts(name, 10, 10, 0);

        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.AddConsumer("multi-cons", consumer);
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
        Assert.Equal((10, 10, 0), await Counts(name));
        Assert.Equal("multi-d0", (await consumer.GetDeliveries())[0].Payload);

        await consumer.Finish(DeliveryOutcome.Ack);
        await EventuallyCounts(name, 9, 10, 0);
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
        await consumer.Finish(DeliveryOutcome.Ack);
        await EventuallyCounts(name, 8, 10, 0);
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");

        // Rmq: StopConsuming waits for the held delivery, then hands the 9 prefetched ones back.
        await StopWhileHeld(queue, () => consumer.Finish(DeliveryOutcome.Ack));
        Assert.Equal((17, 0, 0), await Counts(name));
        Assert.Equal(["multi-d0", "multi-d1", "multi-d2"], await Payloads(consumer));
    }

    [Fact] // §9.1 #6 TestBatch
    public async Task Batch_FullBatchesThenAPartialOneAfterTheTimeout()
    {
        var name = RmqClusterFixture.UniqueName("batch-q");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, 5).Select(i => $"batch-d{i}").ToList());
        await queue.StartConsuming(10, Poll);
        await EventuallyCounts(name, 0, 5, 0);

        var consumer = await BatchConsumerAsync(ConsumerBehaviour.Hold);
        await queue.AddBatchConsumer("batch-cons", consumer, 2, TimeSpan.FromMilliseconds(50));
        await Eventually.Equal(1, async () => (await consumer.GetBatches()).Count, "batches");
        Assert.Equal(["batch-d0", "batch-d1"], (await consumer.GetBatches())[0].Select(d => d.Payload));
        await consumer.Finish([DeliveryOutcome.Reject, DeliveryOutcome.Ack]);
        await Eventually.Equal(2, async () => (await consumer.GetBatches()).Count, "batches");
        await EventuallyCounts(name, 0, 3, 1);
        Assert.Equal(["batch-d2", "batch-d3"], (await consumer.GetBatches())[1].Select(d => d.Payload));
        await consumer.Finish([DeliveryOutcome.Reject, DeliveryOutcome.Ack]);
        await EventuallyCounts(name, 0, 1, 2);
        // Only one left: delivered alone once the 50 ms batch timeout has passed.
        await Eventually.Equal(3, async () => (await consumer.GetBatches()).Count, "batches");
        Assert.Equal(["batch-d4"], (await consumer.GetBatches())[2].Select(d => d.Payload));
        await consumer.Finish([DeliveryOutcome.Reject]);
        await EventuallyCounts(name, 0, 0, 3);

        await consumer.Configure(ConsumerBehaviour.AutoAck);
        await queue.PublishBatch(Enumerable.Range(5, 5).Select(i => $"batch-d{i}").ToList());
        await EventuallyCounts(name, 0, 0, 3);
        await Eventually.Equal(10, async () => (await consumer.GetBatches()).Sum(b => b.Count), "delivered");
        Assert.All(await consumer.GetBatches(), b => Assert.InRange(b.Count, 1, 2));
        await queue.StopConsuming();
    }

    [Fact] // §9.1 #7 TestReturnRejected
    public async Task ReturnRejected_MovesOldestRejectionsFirstToTheBackOfReady()
    {
        var name = RmqClusterFixture.UniqueName("return-q");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, 6).Select(i => $"return-d{i}").ToList());
        Assert.Equal(6, await Ready(name));
        await queue.StartConsuming(10, Poll);
        await EventuallyCounts(name, 0, 6, 0);

        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.AddConsumer("return-cons", consumer);
        DeliveryOutcome[] outcomes = [DeliveryOutcome.Reject, DeliveryOutcome.Ack, DeliveryOutcome.Reject, DeliveryOutcome.Reject];
        foreach (var outcome in outcomes)
        {
            await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
            await consumer.Finish(outcome);
        }
        // d4 stays with the first consumer; a second one gets d5 and rejects it.
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");
        var second = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.AddConsumer("return-cons2", second);
        await Eventually.Equal(1, second.HeldCount, "held deliveries");
        await second.Finish(DeliveryOutcome.Reject);
        await EventuallyCounts(name, 0, 1, 4);
        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => $"return-d{i}")], await Payloads(consumer));
        Assert.Equal(["return-d5"], await Payloads(second));

        await StopWhileHeld(queue, () => consumer.Finish(DeliveryOutcome.Ack));
        Assert.Equal((0, 0, 4), await Counts(name));

        Assert.Equal(2, await queue.ReturnRejected(2));
        Assert.Equal((2, 0, 2), await Counts(name));
        Assert.Equal(["return-d5", "return-d3"], (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (string)v!));
        Assert.Equal(2, await queue.ReturnRejected(long.MaxValue));
        Assert.Equal((4, 0, 0), await Counts(name));
        // Next to consume is the right end: the oldest rejection first.
        Assert.Equal(["return-d5", "return-d3", "return-d2", "return-d0"], (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!));
    }

    [Fact] // §9.1 #8 TestRejectFaultyMessages
    public async Task RejectFaultyMessages_UndecodableHeadersAreRejectedAtFetch()
    {
        var name = RmqClusterFixture.UniqueName("faulty-q");
        var queue = Queue(name);
        for (var i = 0; i < 6; i++)
            await Db.ListLeftPushAsync(Keys.Ready(name), (byte[])[.. HeaderCodec.Signature, .. Encoding.UTF8.GetBytes($"return-d{i}")]);
        Assert.Equal(6, await Ready(name));
        await queue.StartConsuming(10, Poll);
        await EventuallyCounts(name, 0, 0, 6);

        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.AddConsumer("faulty-cons", consumer);
        await Task.Delay(200);
        Assert.Empty(await consumer.GetDeliveries());
        Assert.Equal((0, 0, 6), await Counts(name));
        await queue.StopConsuming();
    }

    [Fact] // §9.1 #9 TestPushQueue
    public async Task PushQueue_PushMovesToThePushQueueAndActsAsRejectWithoutOne()
    {
        var name1 = RmqClusterFixture.UniqueName("queue1");
        var name2 = RmqClusterFixture.UniqueName("queue2");
        var (queue1, queue2) = (Queue(name1), Queue(name2));
        await queue1.SetPushQueue(name2);
        var consumer1 = await ConsumerAsync(ConsumerBehaviour.Hold);
        var consumer2 = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue1.StartConsuming(10, Poll);
        await queue1.AddConsumer("push-cons", consumer1);
        await queue2.StartConsuming(10, Poll);
        await queue2.AddConsumer("push-cons", consumer2);

        await queue1.Publish("d1");
        await EventuallyCounts(name1, 0, 1, 0);
        await Eventually.Equal(1, consumer1.HeldCount, "held deliveries");
        await consumer1.Finish(DeliveryOutcome.Push);
        await EventuallyCounts(name1, 0, 0, 0);
        await EventuallyCounts(name2, 0, 1, 0);
        await Eventually.Equal(1, consumer2.HeldCount, "held deliveries");
        Assert.Equal("d1", (await consumer2.GetDeliveries())[0].Payload);

        await consumer2.Finish(DeliveryOutcome.Push);
        await EventuallyCounts(name2, 0, 0, 1);
        await queue1.StopConsuming();
        await queue2.StopConsuming();
    }

    [Fact] // §9.1 #10 TestStopConsuming_Consumer
    public async Task StopConsuming_Consumers_NothingLostNothingDuplicated()
    {
        var name = RmqClusterFixture.UniqueName("stop-q");
        var queue = Queue(name);
        var payloads = Enumerable.Range(0, 30).Select(i => $"d{i}").ToList();
        await queue.PublishBatch(payloads);
        await queue.StartConsuming(20, Poll);
        var consumers = new List<ITestConsumerGrain>();
        for (var i = 0; i < 10; i++)
        {
            var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
            consumers.Add(consumer);
            await queue.AddConsumer("stop-cons", consumer);
        }
        await queue.StopConsuming();

        var consumed = new List<string>();
        foreach (var consumer in consumers) consumed.AddRange(await Payloads(consumer));
        var (ready, unacked, rejected) = await Counts(name);
        Assert.Equal(0, unacked);
        Assert.Equal(0, rejected);
        Assert.Equal(30, consumed.Count + ready);
        Assert.Equal(consumed.Count, consumed.Distinct().Count());
        var left = (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!);
        Assert.Equal(payloads.Order(), consumed.Concat(left).Order());
    }

    [Fact] // §9.1 #11 TestStopConsuming_BatchConsumer
    public async Task StopConsuming_BatchConsumers_NothingLostNothingDuplicated()
    {
        var name = RmqClusterFixture.UniqueName("stopb-q");
        var queue = Queue(name);
        var payloads = Enumerable.Range(0, 50).Select(i => $"d{i}").ToList();
        await queue.PublishBatch(payloads);
        await queue.StartConsuming(20, Poll);
        var consumers = new List<ITestBatchConsumerGrain>();
        for (var i = 0; i < 10; i++)
        {
            var consumer = await BatchConsumerAsync(ConsumerBehaviour.AutoAck);
            consumers.Add(consumer);
            await queue.AddBatchConsumer("stop-batch", consumer, 5, TimeSpan.FromSeconds(1));
        }
        await queue.StopConsuming();

        var consumed = new List<string>();
        foreach (var consumer in consumers)
            foreach (var batch in await consumer.GetBatches())
            {
                Assert.InRange(batch.Count, 1, 5);
                consumed.AddRange(batch.Select(d => d.Payload));
            }
        var (ready, unacked, _) = await Counts(name);
        Assert.Equal(0, unacked);
        Assert.Equal(50, consumed.Count + ready);
        var left = (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!);
        Assert.Equal(payloads.Order(), consumed.Concat(left).Order());
    }

    [Fact] // §9.1 #18 TestQueueDrain
    public async Task Drain_TakesFromTheFrontAndReturnsFewerWhenEmpty()
    {
        var name = RmqClusterFixture.UniqueName("drain-queue");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, 100).Select(i => i.ToString()).ToList());
        Assert.Equal(100, await Ready(name));
        for (var i = 0; i < 10; i++)
        {
            var drained = await queue.Drain(10);
            Assert.Equal(Enumerable.Range(i * 10, 10).Select(n => n.ToString()), drained);
            Assert.Equal(90 - i * 10, await Ready(name));
        }
        Assert.Empty(await queue.Drain(10));
        await queue.Publish("last");
        Assert.Equal(["last"], await queue.Drain(10));
    }

    [Fact] // §9.1 #19 TestQueueHeader
    public async Task Header_PlainDeliveriesHaveNoHeadersAndWrappedOnesKeepThem()
    {
        var name = RmqClusterFixture.UniqueName("queue-h");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(2, Poll);
        await queue.AddConsumer("queue-h-cons", consumer);
        await queue.Publish("queue-d1");
        await queue.Publish(RmqMessage.Text("queue-d2").WithHeaders(Headers("X-Foo", "d2")));
        await Eventually.Equal(2, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var deliveries = (await consumer.GetDeliveries()).ToDictionary(d => d.Payload);
        Assert.Empty(deliveries["queue-d1"].Headers);
        Assert.Equal("d2", deliveries["queue-d2"].GetHeader("X-Foo"));
        Assert.All(deliveries.Values, d => Assert.Equal(name, d.Queue));
        await queue.StopConsuming();
    }

    protected static IReadOnlyDictionary<string, string[]> Headers(string key, string value) =>
        new Dictionary<string, string[]> { [key] = [value] };
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class GoRmqPortTests_Classic(ClassicClusterFixture fixture) : GoRmqPortTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class GoRmqPortTests_ClusterDialect(ClusterDialectClusterFixture fixture) : GoRmqPortTests(fixture);
