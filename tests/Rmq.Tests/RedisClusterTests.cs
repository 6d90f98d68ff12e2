namespace Rmq.Tests;

/// <summary>
/// Consuming in the cluster dialect on a real three-master Redis Cluster, where a command spanning two hash slots
/// is refused. Every count is read from Redis, and each test accounts for every published delivery:
/// ready + unacked + rejected (+ the push target's ready) + acked = published.
/// </summary>
[Collection(ClusterDialectCollection.Name)]
public sealed class RedisClusterTests(ClusterDialectClusterFixture fixture) : QueueTestBase(fixture)
{
    private const int Published = 100;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);
    // Generous for 100 deliveries on a loaded 2-core machine, yet a broken consuming loop fails in seconds.
    private const double Seconds = 20;
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(15);

    private static List<string> PayloadsFor(string prefix, int count = Published) =>
        [.. Enumerable.Range(0, count).Select(i => $"{prefix}-{i}")];

    /// <summary>ready + unacked (every connection's) + rejected of <paramref name="queue"/>, each read from Redis.</summary>
    private async Task<long> HeldInRedis(string queue) => await Ready(queue) + await Unacked(queue) + await Rejected(queue);

    private async Task<List<string>> ListOf(RedisKey list) =>
        [.. (await Db.ListRangeAsync(list)).Select(v => (string)v!)];

    [Fact]
    public async Task Ack_EveryDeliveryIsConsumedOnce_AndTheQueueEndsEmpty()
    {
        var name = RmqClusterFixture.UniqueName("cl-ack");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("cl-ack", consumer);
        var connection = (await queue.GetConnectionName())!;
        // The dialect's promise, which the cluster enforces: every list of one queue lives in one slot.
        var slot = Fixture.Multiplexer.HashSlot(Keys.Ready(name));
        Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.Unacked(connection, name)));
        Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.Rejected(name)));

        var payloads = PayloadsFor(name);
        await queue.PublishBatch(payloads);

        await Eventually.Equal(Published, async () => (await consumer.GetDeliveries()).Count, "deliveries acked", Seconds);
        await EventuallyCounts(name, 0, 0, 0, Seconds);
        var acked = await consumer.GetDeliveries();
        Assert.Equal(payloads.Order(), acked.Select(d => d.Payload).Order());
        Assert.Equal(Published, await HeldInRedis(name) + acked.Count);
        await queue.StopConsuming().WaitAsync(StopLimit);
        Assert.Equal((0, 0, 0), await Counts(name));
    }

    [Fact]
    public async Task Reject_EveryDeliveryEndsInRejected()
    {
        var name = RmqClusterFixture.UniqueName("cl-rej");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Reject));
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("cl-rej", consumer);
        var payloads = PayloadsFor(name);
        await queue.PublishBatch(payloads);

        await EventuallyCounts(name, 0, 0, Published, Seconds);
        Assert.Equal(payloads.Order(), (await ListOf(Keys.Rejected(name))).Order());
        var delivered = await consumer.GetDeliveries();
        Assert.Equal(payloads.Order(), delivered.Select(d => d.Payload).Order());
        // Nothing was acked: all of them are still in Redis.
        Assert.Equal(Published, await HeldInRedis(name));
        await queue.StopConsuming().WaitAsync(StopLimit);
        Assert.Equal((0, 0, Published), await Counts(name));
    }

    [Fact]
    public async Task Push_IntoAQueueInAnotherSlotOnAnotherNode_EachDeliveryArrivesExactlyOnce()
    {
        var name = RmqClusterFixture.UniqueName("cl-src");
        // The push target's keys must be elsewhere: another slot (no script may name both queues' keys) and,
        // to be sure the move crosses nodes, another master.
        var sourceNode = Fixture.Multiplexer.GetServer(Keys.Ready(name)).EndPoint;
        var target = Enumerable.Range(0, 100).Select(_ => RmqClusterFixture.UniqueName("cl-dst"))
            .First(t => !Fixture.Multiplexer.GetServer(Keys.Ready(t)).EndPoint.Equals(sourceNode));
        Assert.NotEqual(Fixture.Multiplexer.HashSlot(Keys.Ready(name)), Fixture.Multiplexer.HashSlot(Keys.Ready(target)));

        var queue = Queue(name);
        await queue.SetPushQueue(target);
        var consumer = await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Push));
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("cl-push", consumer);
        var payloads = PayloadsFor(name);
        await queue.PublishBatch(payloads);

        // One wait over both queues, so a failure shows where the deliveries stayed.
        await Eventually.Equal(((long)Published, (0L, 0L, 0L)), async () => (await Ready(target), await Counts(name)),
            $"(ready of the push queue {target}, (ready, unacked, rejected) of {name})", Seconds);
        // Exactly once each: a copy left behind by a retried push would show up as a second occurrence.
        var arrived = await ListOf(Keys.Ready(target));
        Assert.Equal(payloads.Order(), arrived.Order());
        Assert.Equal((0, 0), (await Unacked(target), await Rejected(target)));
        Assert.Equal(payloads.Order(), (await consumer.GetDeliveries()).Select(d => d.Payload).Order());
        Assert.Equal(Published, await HeldInRedis(name) + await HeldInRedis(target));
        await queue.StopConsuming().WaitAsync(StopLimit);
        Assert.Equal((0, 0, 0), await Counts(name));
        Assert.Equal(Published, await Ready(target));
    }

    [Fact]
    public async Task BatchConsumer_GetsBatches_AndEachOutcomeIsApplied()
    {
        const int total = 25;
        const int batchSize = 10;
        var name = RmqClusterFixture.UniqueName("cl-batch");
        var queue = Queue(name);
        var consumer = await BatchConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(batchSize, Poll);
        await queue.AddBatchConsumer("cl-batch", consumer, batchSize, TimeSpan.FromMilliseconds(50));
        var payloads = PayloadsFor(name, total);
        await queue.PublishBatch(payloads);
        // Every third one is rejected, the rest acked: both outcomes inside one batch.
        static DeliveryOutcome OutcomeOf(string payload) =>
            int.Parse(payload[(payload.LastIndexOf('-') + 1)..]) % 3 == 0 ? DeliveryOutcome.Reject : DeliveryOutcome.Ack;

        var finished = 0;
        var delivered = 0;
        while (delivered < total)
        {
            await Eventually.True(async () => (await consumer.GetBatches()).Count > finished, $"batch {finished + 1}", Seconds);
            var batch = (await consumer.GetBatches())[finished];
            Assert.InRange(batch.Count, 1, batchSize);
            await consumer.Finish([.. batch.Select(d => OutcomeOf(d.Payload))]);
            finished++;
            delivered += batch.Count;
        }

        var rejects = payloads.Where(p => OutcomeOf(p) == DeliveryOutcome.Reject).ToList();
        await EventuallyCounts(name, 0, 0, rejects.Count, Seconds);
        var batches = await consumer.GetBatches();
        Assert.Equal(payloads.Order(), batches.SelectMany(b => b).Select(d => d.Payload).Order());
        Assert.True(batches.Count >= 3, $"{total} deliveries in batches of at most {batchSize} came in {batches.Count} batches");
        Assert.Equal(rejects.Order(), (await ListOf(Keys.Rejected(name))).Order());
        var acked = total - rejects.Count;
        Assert.Equal(total, await HeldInRedis(name) + acked);
        await queue.StopConsuming().WaitAsync(StopLimit);
        Assert.Equal((0, 0, rejects.Count), await Counts(name));
    }
}
