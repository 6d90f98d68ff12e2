namespace Rmq.Tests;

/// <summary>RMQ-SEMANTICS §12.2: a queue grain whose live connection a cleaner took for dead.</summary>
[Collection(ClassicCollection.Name)]
public sealed class ZombieTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    [Fact]
    public async Task ACleanedLiveConnection_IsNoticed_AndConsumingGoesOnWithANewOne()
    {
        var name = RmqClusterFixture.UniqueName("zombie");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(3, TimeSpan.FromMilliseconds(5));
        await queue.AddConsumer("zombie", consumer);
        await queue.PublishBatch(["d0", "d1", "d2", "d3", "d4"]);
        await EventuallyCounts(name, 2, 3, 0);
        var old = (await queue.GetConnectionName())!;

        // What a Go rmq cleaner does to a connection whose heartbeat it saw expired (as after a long
        // pause): unacked back to ready, the connection unregistered.
        var unacked = Keys.Unacked(old, name);
        while (!(await Db.ListRightPopLeftPushAsync(unacked, Keys.Ready(name))).IsNull) { }
        await Db.SetRemoveAsync(RedisKeys.Connections, old);
        await Db.KeyDeleteAsync(RedisKeys.ConnectionQueues(old));

        // Within a heartbeat the grain notices and carries on with a new connection.
        await Eventually.True(async () => await queue.GetConnectionName() is { } now && now != old, "a new connection");
        var current = (await queue.GetConnectionName())!;
        Assert.True(await Db.SetContainsAsync(RedisKeys.Connections, current));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, old));
        Assert.False(await Db.KeyExistsAsync(RedisKeys.Heartbeat(old)));
        Assert.False(await Db.KeyExistsAsync(unacked));

        // Everything is consumed; what the old connection had handed out may come twice, at most the prefetch limit.
        await Eventually.True(async () =>
        {
            if (await consumer.HeldCount() > 0) await consumer.Finish(DeliveryOutcome.Ack);
            var (ready, inUnacked, _) = await Counts(name);
            return ready == 0 && inUnacked == 0 && await consumer.HeldCount() == 0;
        }, "queue drained");
        var seen = await Payloads(consumer);
        Assert.Equal(["d0", "d1", "d2", "d3", "d4"], seen.Distinct().Order());
        Assert.InRange(seen.Count - 5, 0, 3);
        Assert.False(await Db.KeyExistsAsync(unacked));
        await queue.StopConsuming();
    }
}
