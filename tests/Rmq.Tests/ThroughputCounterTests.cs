namespace Rmq.Tests;

/// <summary>
/// The queue's throughput in Redis, which every silo's dashboard reads its rates from: the engine adds the acks and
/// pushes Redis confirmed to the queue's counters hash once per heartbeat, and on stopping what is left.
/// </summary>
public abstract class ThroughputCounterTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private async Task<long> Counter(string queue, string field) => (long?)await Db.HashGetAsync(Keys.Counters(queue), field) ?? 0;

    [Fact]
    public async Task AcksAndPushes_AreAddedToTheQueuesCounters_EachOnce()
    {
        var acking = RmqClusterFixture.UniqueName("tp-ack");
        var pushing = RmqClusterFixture.UniqueName("tp-push");
        var ackQueue = Queue(acking);
        var pushQueue = Queue(pushing);
        await pushQueue.SetPushQueue(RmqClusterFixture.UniqueName("tp-target"));
        await ackQueue.StartConsuming(10, TimeSpan.FromMilliseconds(10));
        await pushQueue.StartConsuming(10, TimeSpan.FromMilliseconds(10));
        await ackQueue.AddConsumer("ack", await ConsumerAsync(ConsumerBehaviour.AutoAck));
        await pushQueue.AddConsumer("push", await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Push)));

        await ackQueue.PublishBatch(Enumerable.Range(0, 40).Select(i => $"a{i}").ToList());
        await pushQueue.PublishBatch(Enumerable.Range(0, 15).Select(i => $"p{i}").ToList());

        await Eventually.Equal(40L, () => Counter(acking, "acked"), "acks counted in Redis", seconds: 10);
        await Eventually.Equal(15L, () => Counter(pushing, "pushed"), "pushes counted in Redis", seconds: 10);
        Assert.Equal(0, await Counter(acking, "pushed"));
        Assert.Equal(0, await Counter(pushing, "acked"));

        // Counted once: more ticks add nothing; a stop flushes what the last outcomes added.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(40, await Counter(acking, "acked"));
        await ackQueue.Publish("last");
        await EventuallyCounts(acking, 0, 0, 0);   // its ack is applied in Redis; the counter may lag by a tick
        await ackQueue.StopConsuming();
        Assert.Equal(41, await Counter(acking, "acked"));
        await pushQueue.StopConsuming();
    }
}

[Collection(ClassicCollection.Name)]
public sealed class ThroughputCounterTests_Classic(ClassicClusterFixture fixture) : ThroughputCounterTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class ThroughputCounterTests_Cluster(ClusterDialectClusterFixture fixture) : ThroughputCounterTests(fixture);
