using System.Text;

namespace Rmq.Tests;

/// <summary>
/// Wire compatibility with Go rmq (RMQ-SEMANTICS §2, §4, §8): elements written with plain Redis
/// commands exactly as Go rmq writes them are consumed, and the keys Rmq leaves behind are the ones
/// Go rmq's cleaner and stats read. Keys are spelled out literally here, not built by RedisKeys.
/// </summary>
public abstract class CompatibilityTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private string Tag(string queue) => Fixture.Dialect == KeyDialect.Cluster ? $"{{{queue}}}" : $"[{queue}]";

    /// <summary>Go rmq's PayloadWithHeader("go-payload", {"X-Trace": ["abc"]}), byte by byte.</summary>
    private static readonly byte[] GoHeaderElement =
        [0xFF, 0x00, 0xBE, 0xBE, 0x4A, .. """{"X-Trace":["abc"]}"""u8.ToArray(), 0x0A, .. "go-payload"u8.ToArray()];

    [Fact]
    public async Task ElementsPushedTheGoRmqWay_AreConsumed_WithAndWithoutHeader()
    {
        var name = RmqClusterFixture.UniqueName("go-prod");
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        var queue = Queue(name);
        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(20));
        await queue.AddConsumer("dotnet", consumer);

        // What Go rmq's Publish does: one LPUSH to the ready list; publishes by others are found by polling.
        await Db.ListLeftPushAsync($"rmq::queue::{Tag(name)}::ready", "go-plain");
        await Db.ListLeftPushAsync($"rmq::queue::{Tag(name)}::ready", GoHeaderElement);
        await Eventually.Equal(2, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var deliveries = await consumer.GetDeliveries();
        Assert.Equal("go-plain", deliveries[0].Payload);
        Assert.Empty(deliveries[0].Headers);
        Assert.Equal("go-payload", deliveries[1].Payload);
        Assert.Equal(["abc"], deliveries[1].Headers["X-Trace"]);
        await EventuallyCounts(name, 0, 0, 0);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ElementsPublishedByRmq_AreWhatGoRmqWrites()
    {
        var name = RmqClusterFixture.UniqueName("dotnet-prod");
        var queue = Queue(name);
        await queue.Publish(RmqMessage.Text("go-payload").WithHeaders(new Dictionary<string, string[]> { ["X-Trace"] = ["abc"] }));
        await queue.PublishBatch(["b1", "b2"]);
        await queue.PublishBytes([0x00, 0xFF]);
        var ready = (await Db.ListRangeAsync($"rmq::queue::{Tag(name)}::ready")).Select(v => (byte[])v!).ToList();
        // LPUSH: the newest at the left; Go's RPOPLPUSH takes the right end first.
        Assert.Equal([[0x00, 0xFF], "b2"u8.ToArray(), "b1"u8.ToArray(), GoHeaderElement], ready);
        Assert.True(await Db.SetContainsAsync("rmq::queues", name));
    }

    [Fact]
    public async Task KeysLeftBehind_AreGoRmqsConnectionLayout()
    {
        var name = RmqClusterFixture.UniqueName("layout-q");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(5));
        var consumerName = await queue.AddConsumer("layout-cons", consumer);
        await queue.Publish("held");
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");

        var connection = (await queue.GetConnectionName())!;
        Assert.Matches("^.+-[A-Za-z0-9]{6}$", connection);
        Assert.True(await Db.SetContainsAsync("rmq::connections", connection));
        Assert.True(await Db.SetContainsAsync("rmq::queues", name));
        var heartbeat = $"rmq::connection::{connection}::heartbeat";
        Assert.Equal("1", (string?)await Db.StringGetAsync(heartbeat));
        var ttl = await Db.KeyTimeToLiveAsync(heartbeat);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(60));
        Assert.Equal([(RedisValue)name], await Db.SetMembersAsync($"rmq::connection::{connection}::queues"));
        Assert.Matches("^layout-cons-[A-Za-z0-9]{6}$", consumerName);
        Assert.Equal([(RedisValue)consumerName], await Db.SetMembersAsync($"rmq::connection::{connection}::queue::{Tag(name)}::consumers"));
        Assert.Equal(["held"], (await Db.ListRangeAsync($"rmq::connection::{connection}::queue::{Tag(name)}::unacked")).Select(v => (string)v!));

        // The heartbeat is refreshed by the grain timer: after 1.5 s its TTL is back near 60 s.
        await Db.KeyExpireAsync(heartbeat, TimeSpan.FromSeconds(30));
        await Eventually.True(async () => await Db.KeyTimeToLiveAsync(heartbeat) > TimeSpan.FromSeconds(55), "heartbeat refreshed");

        await StopWhileHeld(queue, () => consumer.Finish(DeliveryOutcome.Ack));
        // A clean stop closes the connection the way Go rmq's cleaner would have.
        Assert.False(await Db.SetContainsAsync("rmq::connections", connection));
        Assert.False(await Db.KeyExistsAsync(heartbeat));
        Assert.False(await Db.KeyExistsAsync($"rmq::connection::{connection}::queues"));
        Assert.False(await Db.KeyExistsAsync($"rmq::connection::{connection}::queue::{Tag(name)}::unacked"));
        Assert.False(await Db.KeyExistsAsync($"rmq::connection::{connection}::queue::{Tag(name)}::consumers"));
    }

    [Fact]
    public async Task StatsCountGoConnections_AndReturnUnackedTakesOnlyFromDeadOnes()
    {
        var name = RmqClusterFixture.UniqueName("go-conn-q");
        // Two Go rmq consumers, with the keys Go rmq leaves: one alive, one whose heartbeat expired. Each is
        // registered in rmq::connections last, so a cleaner never sees a dead one before its unacked list.
        foreach (var (go, alive) in new[] { ("go-live-AbC123", true), ("go-dead-XyZ789", false) })
        {
            if (alive) await Db.StringSetAsync($"rmq::connection::{go}::heartbeat", "1", TimeSpan.FromSeconds(60));
            await Db.ListLeftPushAsync($"rmq::connection::{go}::queue::{Tag(name)}::unacked", [$"{go}-a", $"{go}-b"]);
            await Db.SetAddAsync($"rmq::connection::{go}::queue::{Tag(name)}::consumers", ["c-1", "c-2"]);
            await Db.SetAddAsync($"rmq::connection::{go}::queues", name);
            await Db.SetAddAsync("rmq::connections", go);
        }
        await Db.ListLeftPushAsync($"rmq::queue::{Tag(name)}::ready", "waiting");
        await Db.ListLeftPushAsync($"rmq::queue::{Tag(name)}::rejected", "bad");

        var queue = Queue(name);
        var counts = await queue.GetStats();
        Assert.Equal(new QueueStats(1, 1, 4, 4, 2), counts with { Consuming = null });
        Assert.Equal(ConsumingState.NotConsuming, counts.Consuming!.State);

        Assert.Equal(2, await queue.ReturnUnacked(long.MaxValue));
        Assert.Equal(["go-dead-XyZ789-b", "go-dead-XyZ789-a", "waiting"],
            (await Db.ListRangeAsync($"rmq::queue::{Tag(name)}::ready")).Select(v => (string)v!));
        Assert.Equal(2, await Db.ListLengthAsync($"rmq::connection::go-live-AbC123::queue::{Tag(name)}::unacked"));

        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(5));
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.AddConsumer("dotnet", consumer);
        await Eventually.Equal(3L, async () => (await queue.GetStats()).ConnectionCount, "connections");
        var stats = await queue.GetStats();
        Assert.Equal(5, stats.ConsumerCount);
        Assert.Equal(5, stats.UnackedCount); // 2 live Go + 0 dead Go + 3 prefetched here
        await Db.KeyDeleteAsync($"rmq::connection::go-live-AbC123::heartbeat");
        await StopWhileHeld(queue, () => consumer.Finish(DeliveryOutcome.Ack));
        Assert.Equal(2, await Db.ListLengthAsync($"rmq::queue::{Tag(name)}::ready"));
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class CompatibilityTests_Classic(ClassicClusterFixture fixture) : CompatibilityTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class CompatibilityTests_ClusterDialect(ClusterDialectClusterFixture fixture) : CompatibilityTests(fixture);
