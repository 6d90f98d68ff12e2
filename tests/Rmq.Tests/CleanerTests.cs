namespace Rmq.Tests;

/// <summary>
/// Go rmq's TestCleaner (RMQ-SEMANTICS §9.2) and the cleaner's robustness. Dead connections are
/// written with plain Redis commands exactly as Go rmq leaves them, so these are also the
/// "cleans Go rmq's connections" tests. The fixture's automatic cleaner is off; Clean() runs a pass.
/// </summary>
[Collection(ClassicCollection.Name)]
public sealed class CleanerTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    private ICleanerGrain Cleaner => Fixture.Grains.GetGrain<ICleanerGrain>(0);

    /// <summary>
    /// Writes the keys Go rmq's OpenConnection + StartConsuming + AddConsumer + fetches leave behind. Registered in
    /// rmq::connections last: a cleaner pass in between must see the connection whole or not at all (a dead one
    /// registered before its queues set would be unregistered with nothing returned).
    /// </summary>
    private async Task GoConnection(string connection, string queue, TimeSpan? heartbeat, params string[] unackedOldestFirst)
    {
        if (heartbeat is { } ttl) await Db.StringSetAsync(RedisKeys.Heartbeat(connection), "1", ttl);
        await Db.SetAddAsync("rmq::queues", queue);
        foreach (var element in unackedOldestFirst)
            await Db.ListLeftPushAsync($"rmq::connection::{connection}::queue::[{queue}]::unacked", element);
        await Db.SetAddAsync($"rmq::connection::{connection}::queue::[{queue}]::consumers", $"{connection}-cons-AbCdEf");
        await Db.SetAddAsync($"rmq::connection::{connection}::queues", queue);
        await Db.SetAddAsync("rmq::connections", connection);
    }

    private async Task<bool> Registered(string connection) => await Db.SetContainsAsync("rmq::connections", connection);

    [Fact] // §9.2 #20 TestCleaner
    public async Task Clean_ReturnsTheUnackedOfDeadConnectionsOnly_AsGoRmq()
    {
        var q1 = RmqClusterFixture.UniqueName("q1");
        var id = q1[3..];
        // Connection A published del1..del6, fetched del1 and del2 (prefetch 2), acked del1, fetched
        // del3 and died. Connection B published del7..del11, fetched del4 and del5, acked del5, fetched
        // del6 and died — B's heartbeat key lost its expiry, which Go rmq also counts as dead.
        await Db.ListLeftPushAsync(Keys.Ready(q1), Enumerable.Range(7, 5).Select(i => (RedisValue)$"del{i}").ToArray());
        await GoConnection($"cleaner-conn1-A{id}", q1, heartbeat: null, "del2", "del3");
        await GoConnection($"cleaner-conn1-B{id}", q1, heartbeat: null, "del4", "del6");
        await Db.StringSetAsync(RedisKeys.Heartbeat($"cleaner-conn1-B{id}"), "1");
        // A live Go consumer on the same queue must not be touched.
        await GoConnection($"cleaner-live-{id}", q1, TimeSpan.FromSeconds(60), "live1");
        Assert.Equal(5, await Ready(q1));

        Assert.Equal(4, await Cleaner.Clean());
        Assert.Equal(9, await Ready(q1)); // 2 of 11 were acked
        Assert.Equal(["del6", "del4", "del3", "del2"],
            (await Db.ListRangeAsync(Keys.Ready(q1), 0, 3)).Select(v => (string)v!).OrderDescending());
        foreach (var dead in new[] { $"cleaner-conn1-A{id}", $"cleaner-conn1-B{id}" })
        {
            Assert.False(await Registered(dead));
            Assert.False(await Db.KeyExistsAsync($"rmq::connection::{dead}::queues"));
            Assert.False(await Db.KeyExistsAsync($"rmq::connection::{dead}::queue::[{q1}]::consumers"));
            Assert.False(await Db.KeyExistsAsync($"rmq::connection::{dead}::queue::[{q1}]::unacked"));
        }
        Assert.True(await Registered($"cleaner-live-{id}"));
        Assert.Equal(["live1"], (await Db.ListRangeAsync($"rmq::connection::cleaner-live-{id}::queue::[{q1}]::unacked")).Select(v => (string)v!));

        // Connection D consumes everything; a second pass finds nothing to return.
        var queue = Queue(q1);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(5));
        await queue.AddConsumer("cleaner-cons", consumer);
        await Eventually.Equal(9, async () => (await consumer.GetDeliveries()).Count, "consumed");
        Assert.Equal(["del10", "del11", "del2", "del3", "del4", "del6", "del7", "del8", "del9"], (await Payloads(consumer)).Order());
        await queue.StopConsuming();
        Assert.Equal(0, await Cleaner.Clean());
        await Db.KeyDeleteAsync(RedisKeys.Heartbeat($"cleaner-live-{id}"));
        Assert.Equal(1, await Cleaner.Clean());
    }

    [Fact]
    public async Task Clean_OneBrokenConnectionDoesNotStopThePass()
    {
        var queue = RmqClusterFixture.UniqueName("broken-q");
        var id = queue[9..];
        // Not a set where a set belongs: every command on it fails with WRONGTYPE. Registered last, as GoConnection.
        await Db.StringSetAsync($"rmq::connection::broken-{id}::queues", "not a set");
        await Db.SetAddAsync("rmq::connections", $"broken-{id}");
        await GoConnection($"dead-{id}", queue, heartbeat: null, "a", "b", "c");

        Assert.Equal(3, await Cleaner.Clean());
        Assert.Equal(3, await Ready(queue));
        Assert.True(await Registered($"broken-{id}"));
        Assert.False(await Registered($"dead-{id}"));
        await Db.KeyDeleteAsync($"rmq::connection::broken-{id}::queues");
        Assert.Equal(0, await Cleaner.Clean());
        Assert.False(await Registered($"broken-{id}"));
    }

    [Fact]
    public async Task Clean_BesideAConcurrentGoCleaner_NothingIsLostOrDuplicated()
    {
        const int count = 2000;
        var queue = RmqClusterFixture.UniqueName("race-q");
        var connection = $"go-dead-{queue[7..]}";
        await GoConnection(connection, queue, heartbeat: null, [.. Enumerable.Range(0, count).Select(i => $"m{i}")]);
        var unacked = $"rmq::connection::{connection}::queue::[{queue}]::unacked";

        // Go rmq's cleaner moves one element per RPOPLPUSH; run it at the same time as ours.
        async Task<long> GoCleaner()
        {
            long moved = 0;
            while (!(await Db.ListRightPopLeftPushAsync(unacked, Keys.Ready(queue))).IsNull) moved++;
            return moved;
        }
        var go = Task.Run(GoCleaner);
        var ours = await Cleaner.Clean();
        var theirs = await go;

        Assert.Equal(count, ours + theirs);
        var ready = (await Db.ListRangeAsync(Keys.Ready(queue))).Select(v => (string)v!).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"m{i}").Order(), ready.Order());
        Assert.False(await Registered(connection));
    }

    [Fact]
    public async Task Clean_ARmqQueueGrainsOwnLiveConnectionIsLeftAlone()
    {
        var name = RmqClusterFixture.UniqueName("alive-q");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(3, TimeSpan.FromMilliseconds(5));
        await queue.AddConsumer("alive", consumer);
        await queue.PublishBatch(["a", "b", "c", "d"]);
        await EventuallyCounts(name, 1, 3, 0);
        await Cleaner.Clean();
        Assert.Equal((1, 3, 0), await Counts(name));
        await StopWhileHeld(queue, () => consumer.Finish(DeliveryOutcome.Ack));
        Assert.Equal((3, 0, 0), await Counts(name));
    }
}
