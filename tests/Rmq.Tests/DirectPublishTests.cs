using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rmq.Publishing;

namespace Rmq.Tests;

/// <summary>
/// The client library's direct publisher: the same elements, checks and errors as the queue grain,
/// straight to Redis; consuming queues are woken through pub/sub. Both dialects (the cluster one on a
/// real Redis Cluster, where the wake is sharded pub/sub).
/// </summary>
public abstract class DirectPublishTests(RmqClusterFixture fixture) : QueueTestBase(fixture), IAsyncLifetime
{
    private RmqPublisher _publisher = null!;

    public async Task InitializeAsync() =>
        _publisher = await Fixture.ConnectPublisherAsync();

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    [Fact]
    public async Task ElementsAreByteForByteWhatTheQueueGrainWrites_AndTheQueueIsListed()
    {
        var viaGrain = RmqClusterFixture.UniqueName("via-grain");
        var direct = RmqClusterFixture.UniqueName("direct");
        var headers = new Dictionary<string, string[]> { ["traceparent"] = ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"], ["b"] = ["1", "2"] };
        byte[] binary = [0, 1, 2, 0xFF, 0xFE];
        var grain = Queue(viaGrain);
        await grain.Publish("plain");
        await grain.Publish(RmqMessage.Text("with headers").WithHeaders(headers));
        await grain.Publish(RmqMessage.Bytes(binary).WithHeaders(headers));
        await grain.PublishBytesBatch([binary, [42]]);
        var queue = _publisher.Queue(direct);
        await queue.Publish("plain");
        await queue.Publish(RmqMessage.Text("with headers").WithHeaders(headers));
        await queue.Publish(RmqMessage.Bytes(binary).WithHeaders(headers));
        await queue.PublishBytesBatch([binary, [42]]);

        var expected = (await Db.ListRangeAsync(Keys.Ready(viaGrain))).Select(v => Convert.ToHexString((byte[])v!));
        Assert.Equal(expected, (await Db.ListRangeAsync(Keys.Ready(direct))).Select(v => Convert.ToHexString((byte[])v!)));
        Assert.True(await Db.SetContainsAsync(RedisKeys.Queues, direct));
    }

    [Fact]
    public async Task AConsumingQueue_IsWokenAtOnce_NotAtItsNextPoll()
    {
        var name = RmqClusterFixture.UniqueName("woken");
        var grain = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        // A 30 s poll: only the wake can make these arrive within seconds.
        await grain.StartConsuming(10, TimeSpan.FromSeconds(30));
        await grain.AddConsumer("woken", consumer);
        await Task.Delay(300); // its first fetch found ready empty: it now sleeps until the poll or a wake

        var queue = _publisher.Queue(name);
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await queue.Publish($"w{i}");
            await Eventually.Equal(i + 1, async () => (await consumer.GetDeliveries()).Count, $"delivery {i}", 5);
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }
        Assert.Equal(["w0", "w1", "w2", "w3", "w4"], await Payloads(consumer));
        await EventuallyCounts(name, 0, 0, 0);
        await grain.StopConsuming();
    }

    [Fact]
    public async Task ABurstWhoseWakesAreMostlyLeftOut_IsStillFetchedAtOnce()
    {
        var name = RmqClusterFixture.UniqueName("burst");
        var grain = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await grain.StartConsuming(1000, TimeSpan.FromSeconds(30));
        await grain.AddConsumer("burst", consumer);
        await Task.Delay(300);

        // Published back to back: only the first wakes the queue (one wake per window); the woken
        // engine's follow-up looks must pick up the rest, long before the 30 s poll.
        var queue = _publisher.Queue(name);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < 300; i++) await queue.Publish($"b{i}");
        await Eventually.Equal(300, async () => (await consumer.GetDeliveries()).Count, "burst consumed", 10);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
        await EventuallyCounts(name, 0, 0, 0);
        await grain.StopConsuming();
    }

    [Fact]
    public async Task ConcurrentPublishers_EveryPublishLandsExactlyOnce()
    {
        var name = RmqClusterFixture.UniqueName("concurrent");
        var queue = _publisher.Queue(name);
        // 100 publishers at once share LPUSHes; each publish completes only once its element is in Redis.
        await Task.WhenAll(Enumerable.Range(0, 100).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await queue.Publish($"p{p}-{i}");
                // A returned publish is in Redis: this publisher's i + 1 elements at least are there.
                Assert.True(await Db.ListLengthAsync(Keys.Ready(name)) >= i + 1);
            }
        })));

        var all = (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!).ToList();
        Assert.Equal(5000, all.Count);
        Assert.Equal(Enumerable.Range(0, 100).SelectMany(p => Enumerable.Range(0, 50).Select(i => $"p{p}-{i}")).Order(), all.Order());
        // One publisher's messages keep their order.
        var p7 = all.Where(v => v.StartsWith("p7-", StringComparison.Ordinal)).Reverse().ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"p7-{i}"), p7);
    }

    [Fact]
    public async Task BadInput_GetsTheGrainsErrors_AndRedisIsUntouched()
    {
        var name = RmqClusterFixture.UniqueName("direct-bad");
        var queue = _publisher.Queue(name);
        var limit = (int)RmqClusterFixture.MaxPayloadBytes;
        await Assert.ThrowsAsync<ArgumentNullException>(() => queue.Publish(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => queue.PublishBytes(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => queue.Publish(RmqMessage.Bytes([1]).WithHeaders(null!)));
        var big = await Assert.ThrowsAsync<ArgumentException>(() => queue.PublishBytes(new byte[limit + 1]));
        Assert.Contains($"the limit is {limit} bytes (Rmq:MaxPayloadBytes). Nothing was published.", big.Message);
        var batch = await Assert.ThrowsAsync<ArgumentException>(() => queue.PublishBatch(["ok", null!]));
        Assert.Contains("payloads[1] is null", batch.Message);
        Assert.Contains("must not contain", Assert.Throws<ArgumentException>(() => _publisher.Queue("a[b]")).Message);
        Assert.Throws<ArgumentException>(() => new RmqPublisher(new RmqPublisherOptions { RedisConnectionString = "" }));
        Assert.Equal(0, await Ready(name));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Queues, name));
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class DirectPublishTests_Classic(ClassicClusterFixture fixture) : DirectPublishTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class DirectPublishTests_ClusterDialect(ClusterDialectClusterFixture fixture) : DirectPublishTests(fixture);

/// <summary>A publisher pointed at a Redis that does not answer says where it looked; one from DI publishes.</summary>
public sealed class DirectPublishUnreachableTests
{
    [Fact]
    public async Task Publish_WithNoRedisThere_FailsWithTheEndpointInTheMessage()
    {
        var port = FreePorts.Next();
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = $"127.0.0.1:{port},connectTimeout=500");
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => publisher.Queue("nowhere").Publish("x"));
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.False(e.TimedOut);
    }

    [Fact]
    public async Task AddRmqPublisher_RegistersOnePublisher_ThatConnectsOnFirstUse()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var services = new ServiceCollection()
            .AddRmqPublisher(o => o.RedisConnectionString = redis.Endpoint)
            .BuildServiceProvider();
        var publisher = services.GetRequiredService<RmqPublisher>();
        Assert.Same(publisher, services.GetRequiredService<RmqPublisher>());
        await publisher.Queue("from-di").Publish("hello");
        await using var check = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        Assert.Equal("hello", (string?)await check.GetDatabase().ListGetByIndexAsync(new RedisKeys(KeyDialect.Classic).Ready("from-di"), 0));
    }
}
