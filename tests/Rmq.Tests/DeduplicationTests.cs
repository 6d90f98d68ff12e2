using Rmq.Publishing;

namespace Rmq.Tests;

/// <summary>
/// Deduplicated publishes (RmqMessage.Unique) through the queue grain and through the direct publisher: one script (SET NX PX + LPUSH),
/// one key per queue and dedup key, shared by both paths. Both dialects; the cluster dialect on a real
/// Redis Cluster, where a script whose keys spanned hash slots would be refused (CROSSSLOT).
/// </summary>
public abstract class DeduplicationTests(RmqClusterFixture fixture) : QueueTestBase(fixture), IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private RmqPublisher _publisher = null!;

    public async Task InitializeAsync() =>
        _publisher = await Fixture.ConnectPublisherAsync();

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    /// <summary>The two paths behind one signature: the grain, or the direct publisher.</summary>
    private Func<string, string, TimeSpan, Task<bool>> Unique(string queue, bool direct)
    {
        IRmqProducer producer = direct ? _publisher.Queue(queue) : Queue(queue).AsProducer();
        return async (payload, key, window) => (await producer.Publish(RmqMessage.Text(payload).Unique(key, window))).IsPublished;
    }

    private async Task<List<string>> ReadyList(string queue) =>
        (await Db.ListRangeAsync(Keys.Ready(queue))).Select(v => (string)v!).ToList();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PublishUnique_PublishesOnceWithinTheWindow_AgainAfterIt_AndKeysAreIndependent(bool direct)
    {
        var name = RmqClusterFixture.UniqueName("dedup");
        var publish = Unique(name, direct);
        var window = TimeSpan.FromMilliseconds(500);

        Assert.True(await publish("first", "order-1", window));
        Assert.False(await publish("second", "order-1", window));
        Assert.Equal(["first"], await ReadyList(name));
        Assert.True(await Db.SetContainsAsync(RedisKeys.Queues, name));
        var ttl = await Db.KeyTimeToLiveAsync(Keys.Dedup(name, "order-1"));
        Assert.True(ttl is { } t && t > TimeSpan.Zero && t <= window, $"dedup key TTL {ttl}");

        // Another key, and the same key on another queue, are not blocked.
        Assert.True(await publish("other key", "order-2", window));
        var otherQueue = RmqClusterFixture.UniqueName("dedup-o");
        Assert.True(await Unique(otherQueue, direct)("same key, other queue", "order-1", window));
        Assert.Equal(["other key", "first"], await ReadyList(name));
        Assert.Equal(1, await Ready(otherQueue));

        // Once the window has passed the key is gone, and the next unique publish goes through.
        await Eventually.Equal(false, () => Db.KeyExistsAsync(Keys.Dedup(name, "order-1")), "dedup key exists");
        Assert.True(await publish("third", "order-1", window));
        Assert.False(await publish("fourth", "order-1", window));
        Assert.Equal(["third", "other key", "first"], await ReadyList(name));
    }

    [Fact]
    public async Task BothPathsShareTheKey_AndConcurrentPublishers_PublishExactlyOnce()
    {
        var name = RmqClusterFixture.UniqueName("dedup-c");
        Assert.True((await Queue(name).Publish(RmqMessage.Text("via grain").Unique("shared", Long))).IsPublished);
        Assert.False((await _publisher.Queue(name).Publish(RmqMessage.Text("direct").Unique("shared", Long))).IsPublished);
        Assert.True((await _publisher.Queue(name).Publish(RmqMessage.Bytes([1, 2]).Unique("shared-2", Long))).IsPublished);
        Assert.False((await Queue(name).Publish(RmqMessage.Bytes([3, 4]).Unique("shared-2", Long))).IsPublished);
        Assert.Equal(2, await Ready(name));

        // 40 publishers race for one key, half through grains on two silos, half straight to Redis.
        var racers = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? Queue(name).Publish(RmqMessage.Text($"racer-{i}").Unique("race", Long))
            : _publisher.Queue(name).Publish(RmqMessage.Text($"racer-{i}").Unique("race", Long))).ToList();
        var results = (await Task.WhenAll(racers)).Select(r => r.IsPublished).ToArray();
        Assert.Single(results, r => r);
        var winner = $"racer-{Array.IndexOf(results, true)}";
        Assert.Equal(3, await Ready(name));
        Assert.Equal(winner, (string?)await Db.ListGetByIndexAsync(Keys.Ready(name), 0));
    }

    [Fact]
    public async Task UniqueElements_AreWhatPlainPublishesWrite_AndAreConsumed()
    {
        var name = RmqClusterFixture.UniqueName("dedup-e");
        var plain = RmqClusterFixture.UniqueName("dedup-p");
        byte[] binary = [0, 0xFF, 0xFE, 10];
        await Queue(plain).Publish("text");
        await Queue(plain).PublishBytes(binary);
        Assert.True((await Queue(name).Publish(RmqMessage.Text("text").Unique("a", Long))).IsPublished);
        Assert.True((await _publisher.Queue(name).Publish(RmqMessage.Bytes(binary).Unique("b", Long))).IsPublished);
        Assert.Equal(
            (await Db.ListRangeAsync(Keys.Ready(plain))).Select(v => Convert.ToHexString((byte[])v!)),
            (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => Convert.ToHexString((byte[])v!)));

        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(10));
        await queue.AddConsumer("dedup", consumer);
        // Published while consuming: the grain's and the publisher's wakes, as for any publish.
        Assert.True((await queue.Publish(RmqMessage.Text("while consuming").Unique("c", Long))).IsPublished);
        Assert.True((await _publisher.Queue(name).Publish(RmqMessage.Text("direct while consuming").Unique("d", Long))).IsPublished);
        await EventuallyCounts(name, 0, 0, 0);
        var deliveries = await consumer.GetDeliveries();
        Assert.Equal(["text", "while consuming", "direct while consuming"], deliveries.Where(d => d.PayloadBytes[0] != 0).Select(d => d.Payload));
        Assert.Equal(binary, deliveries.Single(d => d.PayloadBytes[0] == 0).PayloadBytes);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task TheDedupKey_IsInTheQueuesHashSlot_EvenWhenTheDedupKeyHasBraces()
    {
        var name = RmqClusterFixture.UniqueName("dedup-s");
        const string braced = "{another-slot}:job";
        Assert.True((await Queue(name).Publish(RmqMessage.Text("x").Unique(braced, Long))).IsPublished);
        Assert.False((await _publisher.Queue(name).Publish(RmqMessage.Text("y").Unique(braced, Long))).IsPublished);
        Assert.Equal(1, await Ready(name));
        Assert.True(await Db.KeyExistsAsync(Keys.Dedup(name, braced)));
        if (Fixture.Dialect == KeyDialect.Cluster)
            Assert.Equal(Fixture.Multiplexer.HashSlot(Keys.Ready(name)), Fixture.Multiplexer.HashSlot(Keys.Dedup(name, braced)));
        Assert.Equal(Fixture.Dialect == KeyDialect.Cluster ? $"rmq::queue::{{{name}}}::rmq-dedup::{braced}" : $"rmq::queue::[{name}]::rmq-dedup::{braced}",
            (string)Keys.Dedup(name, braced)!);
    }

    [Fact]
    public async Task BadArguments_OnTheDirectPublisher_AreRejectedNamingTheArgument_AndNothingIsWritten()
    {
        var name = RmqClusterFixture.UniqueName("dedup-bad");
        var queue = _publisher.Queue(name);
        async Task Rejects<T>(Func<Task> call, string parameter, string rule) where T : ArgumentException
        {
            var e = await Assert.ThrowsAnyAsync<T>(call);
            Assert.Equal(parameter, e.ParamName);
            Assert.Contains(rule, e.Message);
        }
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text("x").Unique(null!, Long)), "dedupKey", "dedupKey");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Text("x").Unique("", Long)), "dedupKey", "must not be empty");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Text("x").Unique(new string('k', Deduplication.MaxKeyLength + 1), Long)), "dedupKey", "at most 1000 characters");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.Zero)), "window", "at least 1 ms");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.FromMilliseconds(-5))), "window", "at least 1 ms");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Bytes([1]).Unique("k", TimeSpan.FromDays(31))), "window", "at most 30 days");
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text(null!).Unique("k", Long)), "payload", "payload");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Bytes(new byte[RmqClusterFixture.MaxPayloadBytes + 1]).Unique("k", Long)), "payload", "Rmq:MaxPayloadBytes");
        Assert.False(await Db.KeyExistsAsync(Keys.Ready(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.Dedup(name, "k")));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Queues, name));
        // The longest key and window are accepted.
        Assert.True((await queue.Publish(RmqMessage.Text("x").Unique(new string('k', Deduplication.MaxKeyLength), Deduplication.MaxWindow))).IsPublished);
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class DeduplicationTests_Classic(ClassicClusterFixture fixture) : DeduplicationTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class DeduplicationTests_ClusterDialect(ClusterDialectClusterFixture fixture) : DeduplicationTests(fixture);
