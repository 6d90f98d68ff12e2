using System.Diagnostics;
using Rmq.Publishing;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// Redis over maxmemory with <c>noeviction</c>: publishes fail with <see cref="RedisFullException"/> on both paths
/// (the queue grain and the direct <see cref="RmqPublisher"/>), while starting to consume, fetching, acks, rejects,
/// pushes, heartbeats and the cleaner all go on — every list is read from Redis to account for every delivery.
/// Redis stays full for the whole test: the ballast takes it further past the limit than the queue ever holds.
/// </summary>
public abstract class MemoryFullTests(FullRedisFixture fixture, ITestOutputHelper output)
{
    private const int Published = 300;
    private const int HeldByDeadConnection = 30;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    private static string PayloadFor(string queue, int i) =>
        $"{(i % 3) switch { 0 => "ack", 1 => "rej", _ => "push" }}-{queue}-{i}";

    private static void AssertFull(RedisFullException e, string what)
    {
        Assert.True(e.Message.Contains("is full", StringComparison.Ordinal), $"{what}: {e.Message}");
        Assert.Contains("OOM command not allowed", e.Message);
        Assert.Contains("nothing was published", e.Message);
        Assert.Contains("Consume or purge queues", e.Message);
        Assert.Contains("CONFIG SET maxmemory", e.Message);
        Assert.False(string.IsNullOrEmpty(e.Endpoint));
    }

    [Fact]
    public async Task FullRedis_RefusesPublishesWithRedisFull_WhileConsumingAckingPushingAndCleaningGoOn_AndNothingIsLost()
    {
        var name = RmqClusterFixture.UniqueName("full");
        var pushTarget = RmqClusterFixture.UniqueName("fullpush");
        var queue = fixture.Queue(name);
        await using var publisher = await RmqPublisher.ConnectAsync(o =>
        {
            o.RedisConnectionString = fixture.RedisConnectionString;
            o.KeyDialect = fixture.Dialect;
        });
        var direct = publisher.Queue(name);

        // Before Redis is full: half through the grain, half straight to Redis.
        var payloads = Enumerable.Range(0, Published).Select(i => PayloadFor(name, i)).ToList();
        await queue.PublishBatch(payloads[..(Published / 2)]);
        await direct.PublishBatch(payloads[(Published / 2)..]);
        // A crashed consumer's connection: registered, no heartbeat, deliveries in its unacked list.
        var dead = $"full-dead-{Guid.NewGuid():N}"[..20];
        var held = Enumerable.Range(Published, HeldByDeadConnection).Select(i => PayloadFor(name, i)).ToList();
        await Db.SetAddAsync(RedisKeys.Connections, dead);
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(dead), name);
        await Db.ListLeftPushAsync(Keys.Unacked(dead, name), [.. held.Select(p => (RedisValue)p)]);

        await fixture.FillAsync();

        // Every kind of publish is refused, on both paths, and adds nothing.
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => queue.Publish("refused")), "grain Publish");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => queue.PublishBatch(["refused-1", "refused-2"])), "grain PublishBatch");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => queue.Publish(RmqMessage.Bytes([1, 2, 3]).WithHeaders(new Dictionary<string, string[]> { ["h"] = ["v"] }))), "grain PublishBytesWithHeaders");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => direct.Publish("refused")), "RmqPublisher Publish");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => direct.PublishBatch(["refused-1", "refused-2"])), "RmqPublisher PublishBatch");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => publisher.Queue(RmqClusterFixture.UniqueName("new")).Publish("refused")), "RmqPublisher to a new queue");
        // A unique publish is refused at its SET, before anything is written: no key blocks a later retry.
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => queue.Publish(RmqMessage.Text("refused").Unique("full-key", TimeSpan.FromMinutes(1)))), "grain PublishUnique");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => direct.Publish(RmqMessage.Bytes([1]).Unique("full-key", TimeSpan.FromMinutes(1)))), "RmqPublisher PublishBytesUnique");
        Assert.False(await Db.KeyExistsAsync(Keys.Dedup(name, "full-key")));
        Assert.Equal(Published, await Db.ListLengthAsync(Keys.Ready(name)));

        // Starting to consume writes the configuration and registers a connection: all on a full Redis.
        await queue.SetPushQueue(pushTarget);
        await queue.StartConsuming(20, Poll);
        for (var i = 0; i < 3; i++) await queue.AddConsumer("full", fixture.Grains.GetGrain<IOutcomeByPayloadConsumerGrain>($"{name}-{i}"));
        var consuming = Stopwatch.StartNew();
        var connection = (await queue.GetConnectionName())!;
        Assert.NotNull(connection);

        // The cleaner returns the dead connection's deliveries to ready (moves over maxmemory too); ours is alive.
        Assert.Equal(HeldByDeadConnection, await fixture.Grains.GetGrain<ICleanerGrain>(0).Clean());
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, dead));

        var total = Published + HeldByDeadConnection;
        await Eventually.True(async () => OutcomeLog.Of(name).Count >= total
            && await Db.ListLengthAsync(Keys.Ready(name)) == 0 && await fixture.Multiplexer.UnackedTotalAsync(Keys, name) == 0,
            "every delivery consumed", 60);
        // Stay consuming (idle) past what a connection without heartbeats survives: give-up at 1.75 s, TTL 2 s.
        var past = 2 * FullRedisFixture.HeartbeatTtl - consuming.Elapsed;
        if (past > TimeSpan.Zero) await Task.Delay(past);
        output.WriteLine($"consumed {total} in Redis over maxmemory, then idle until {consuming.Elapsed.TotalSeconds:F1} s");

        // The same connection all along, registered and with a live heartbeat: the cleaner finds nothing dead.
        var status = await queue.GetConsumingStatus();
        Assert.Equal(ConsumingState.Consuming, status.State);
        Assert.Equal(connection, await queue.GetConnectionName());
        Assert.True(await Db.SetContainsAsync(RedisKeys.Connections, connection));
        Assert.True(await Db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(connection)) is { } ttl && ttl > TimeSpan.Zero);
        Assert.Equal(0, await fixture.Grains.GetGrain<ICleanerGrain>(0).Clean());

        // Redis was full throughout: still over the limit, still refusing publishes.
        var (used, max) = await fixture.MemoryOf(Keys.Ready(name));
        output.WriteLine($"used_memory {used:N0} of maxmemory {max:N0}");
        Assert.True(used > max, $"used_memory {used} > maxmemory {max}");
        AssertFull(await Assert.ThrowsAsync<RedisFullException>(() => direct.Publish("late")), "RmqPublisher at the end");

        // Each delivery was consumed once, with the outcome its consumer returned, and is where that outcome puts it.
        var log = OutcomeLog.Of(name);
        var everything = payloads.Concat(held).ToList();
        Assert.Equal(everything.Order(), log.Select(l => l.Payload).Order());
        Assert.All(log, l => Assert.Equal(OutcomeByPayloadConsumerGrain.OutcomeOf(l.Payload), l.Outcome));
        var rejected = (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (string)v!).ToList();
        var pushed = (await Db.ListRangeAsync(Keys.Ready(pushTarget))).Select(v => (string)v!).ToList();
        Assert.Equal(log.Where(l => l.Outcome == DeliveryOutcome.Reject).Select(l => l.Payload).Order(), rejected.Order());
        Assert.Equal(log.Where(l => l.Outcome == DeliveryOutcome.Push).Select(l => l.Payload).Order(), pushed.Order());
        var acked = log.Count(l => l.Outcome == DeliveryOutcome.Ack);
        var ready = await Db.ListLengthAsync(Keys.Ready(name));
        var unacked = await fixture.Multiplexer.UnackedTotalAsync(Keys, name);
        output.WriteLine($"ready {ready}, unacked {unacked}, rejected {rejected.Count}, pushed {pushed.Count}, acked {acked}");
        Assert.Equal(total, ready + unacked + rejected.Count + pushed.Count + acked);

        await queue.StopConsuming();
        await fixture.EmptyAsync();
        await direct.Publish("after");
        Assert.Equal(1, await Db.ListLengthAsync(Keys.Ready(name)));
    }
}

/// <summary>The classic dialect on one full redis-server.</summary>
public sealed class ClassicMemoryFullTests(ClassicFullRedisFixture fixture, ITestOutputHelper output)
    : MemoryFullTests(fixture, output), IClassFixture<ClassicFullRedisFixture>;

/// <summary>The cluster dialect on a real three-master Redis Cluster, every master full.</summary>
public sealed class ClusterDialectMemoryFullTests(ClusterDialectFullRedisFixture fixture, ITestOutputHelper output)
    : MemoryFullTests(fixture, output), IClassFixture<ClusterDialectFullRedisFixture>;
