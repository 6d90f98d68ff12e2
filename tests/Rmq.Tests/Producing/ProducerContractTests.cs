using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Rmq.Publishing;

namespace Rmq.Tests.Producing;

/// <summary>
/// The one producer interface, <see cref="IRmqProducer"/>: every publish option, run the same way against
/// the grain path (<c>IQueueGrain.AsProducer()</c>) and the direct path (<c>RmqPublisher.Queue</c>), in both key
/// dialects. What each case reads back is Redis itself: ready, the scheduled set, the dedup keys.
/// </summary>
public abstract class ProducerContractTests(RmqClusterFixture fixture, bool direct) : QueueTestBase(fixture), IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private RmqPublisher _publisher = null!;

    public async Task InitializeAsync() =>
        _publisher = await Fixture.ConnectPublisherAsync();

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    private IRmqProducer Producer(string queue) => direct ? _publisher.Queue(queue) : Queue(queue).AsProducer();

    private async Task<List<string>> ReadyHex(string queue) =>
        (await Db.ListRangeAsync(Keys.Ready(queue))).Reverse().Select(v => Convert.ToHexString((byte[])v!)).ToList();

    private static string Hex(byte[] payload, IReadOnlyDictionary<string, string[]>? headers = null) =>
        Convert.ToHexString(headers is null ? payload : HeaderCodec.Encode(payload, headers));

    private static Dictionary<string, string[]> Tenant(string tenant) => new() { ["tenant"] = [tenant] };

    [Fact]
    public async Task TextBytesAndHeaders_AreGoRmqElements_InPublishOrder()
    {
        var name = RmqClusterFixture.UniqueName("prod-p");
        var producer = Producer(name);
        Assert.Equal(name, producer.QueueName);
        byte[] binary = [0, 0xFF, 0xFE, 10];
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Text("plain")));
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Bytes(binary)));
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Text("with headers").WithHeaders(Tenant("acme"))));
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Bytes(binary).WithHeader("tenant", "acme").WithHeader("b", "1", "2")));
        await producer.Publish("convenience");
        await producer.PublishBytes([42]);

        Assert.Equal(
            [
                Hex(Encoding.UTF8.GetBytes("plain")), Hex(binary), Hex(Encoding.UTF8.GetBytes("with headers"), Tenant("acme")),
                Hex(binary, new Dictionary<string, string[]> { ["tenant"] = ["acme"], ["b"] = ["1", "2"] }),
                Hex(Encoding.UTF8.GetBytes("convenience")), Hex([42]),
            ],
            await ReadyHex(name));
        Assert.True(await Db.SetContainsAsync(RedisKeys.Queues, name));
    }

    [Fact]
    public async Task ADelayedMessageWithHeaders_IsScheduled_ThenReachesReadyWithItsHeaders()
    {
        var name = RmqClusterFixture.UniqueName("prod-d");
        var producer = Producer(name);
        var result = await producer.Publish(RmqMessage.Text("later").WithHeaders(Tenant("acme")).Delayed(TimeSpan.FromSeconds(2)));
        Assert.Equal(PublishStatus.Scheduled, result.Status);
        Assert.True(result.IsPublished);
        Assert.NotNull(result.ScheduledId);
        Assert.Equal(Hex(Encoding.UTF8.GetBytes("later"), Tenant("acme")),
            Convert.ToHexString((byte[])(await Db.HashGetAsync(Keys.ScheduledElements(name), result.ScheduledId))!));
        Assert.Equal(0, await Ready(name));
        // The direct path has not activated the queue grain: GetStats does, as the cleaner's ping would.
        await Queue(name).GetStats();
        await Eventually.Equal(1L, () => Ready(name), "ready");
        Assert.Equal([Hex(Encoding.UTF8.GetBytes("later"), Tenant("acme"))], await ReadyHex(name));
        Assert.Equal(0, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.False(await producer.CancelScheduled(result.ScheduledId!));
    }

    [Fact]
    public async Task AScheduledMessage_IsCancelled_AndADueTimeInThePast_PublishesAtOnce()
    {
        var name = RmqClusterFixture.UniqueName("prod-a");
        var producer = Producer(name);
        var later = await producer.Publish(RmqMessage.Bytes([1, 2]).At(DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(PublishStatus.Scheduled, later.Status);
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Bytes([3]).At(DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Text("now").Delayed(TimeSpan.Zero)));
        Assert.Equal(2, await Ready(name));
        Assert.True(await producer.CancelScheduled(later.ScheduledId!));
        Assert.False(await producer.CancelScheduled(later.ScheduledId!));
        Assert.Equal(0, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ScheduledElements(name)));
    }

    [Fact]
    public async Task UniqueWithHeaders_PublishesOnce_AndTheOtherPathSharesTheKey()
    {
        var name = RmqClusterFixture.UniqueName("prod-u");
        var producer = Producer(name);
        IRmqProducer other = direct ? Queue(name).AsProducer() : _publisher.Queue(name);
        var message = RmqMessage.Text("order 42").WithHeaders(Tenant("acme")).Unique("order-42", Long);
        Assert.Equal(PublishResult.Published, await producer.Publish(message));
        Assert.Equal(PublishResult.Deduplicated, await producer.Publish(message));
        var again = await other.Publish(message);
        Assert.Equal(PublishStatus.Deduplicated, again.Status);
        Assert.False(again.IsPublished);
        Assert.Equal([Hex(Encoding.UTF8.GetBytes("order 42"), Tenant("acme"))], await ReadyHex(name));
        Assert.True(await Db.KeyExistsAsync(Keys.Dedup(name, "order-42")));
    }

    [Fact]
    public async Task UniqueAndDelayed_TakesTheKeyAtPublish_AndSchedulesOnce()
    {
        var name = RmqClusterFixture.UniqueName("prod-ud");
        var producer = Producer(name);
        var message = RmqMessage.Bytes([7, 7]).Delayed(TimeSpan.FromHours(1)).Unique("job-7", Long);
        var first = await producer.Publish(message);
        Assert.Equal(PublishStatus.Scheduled, first.Status);
        Assert.Equal(PublishResult.Deduplicated, await producer.Publish(message));
        Assert.Equal(PublishResult.Deduplicated, await producer.Publish(message.At(DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(1, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.Equal(0, await Ready(name));
        var ttl = await Db.KeyTimeToLiveAsync(Keys.Dedup(name, "job-7"));
        Assert.True(ttl > TimeSpan.FromMinutes(9) && ttl <= Long, $"the window counts from the publish: ttl {ttl}");
        Assert.True(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));

        // Unique with a due time already past: the key is taken and the message goes to ready at once.
        Assert.Equal(PublishResult.Published, await producer.Publish(RmqMessage.Text("now").At(DateTimeOffset.UtcNow.AddSeconds(-1)).Unique("job-8", Long)));
        Assert.Equal(1, await Ready(name));
        Assert.True(await producer.CancelScheduled(first.ScheduledId!));
    }

    [Fact]
    public async Task AMixedBatch_AnswersEachMessageInOrder_AndItsPlainMessagesAreConsumedInListOrder()
    {
        var name = RmqClusterFixture.UniqueName("prod-b");
        var producer = Producer(name);
        var due = DateTimeOffset.UtcNow.AddHours(1);
        var results = await producer.PublishBatch(
        [
            RmqMessage.Text("a"),
            RmqMessage.Bytes([0xFF]).WithHeaders(Tenant("t")),
            RmqMessage.Text("later-1").At(due),
            RmqMessage.Text("u").Unique("batch-u", Long),
            RmqMessage.Text("u again").Unique("batch-u", Long),
            RmqMessage.Text("later-2").At(due),
            RmqMessage.Text("b"),
        ]);
        Assert.Equal(
            [PublishStatus.Published, PublishStatus.Published, PublishStatus.Scheduled, PublishStatus.Published, PublishStatus.Deduplicated, PublishStatus.Scheduled, PublishStatus.Published],
            results.Select(r => r.Status));
        var ready = await ReadyHex(name);
        Assert.Equal(4, ready.Count);
        var plain = ready.Where(h => h != Hex(Encoding.UTF8.GetBytes("u"))).ToList();
        Assert.Equal([Hex(Encoding.UTF8.GetBytes("a")), Hex([0xFF], Tenant("t")), Hex(Encoding.UTF8.GetBytes("b"))], plain);
        // The two that share a due time went in one script, with ids that keep their order.
        var ids = (await Db.SortedSetRangeByRankAsync(Keys.Scheduled(name))).Select(v => (string)v!).ToList();
        Assert.Equal([results[2].ScheduledId!, results[5].ScheduledId!], ids);
        Assert.Empty(await producer.PublishBatch([]));
    }

    [Fact]
    public async Task ABatchOfBytesWithOneDueTime_ReachesReadyTogetherInOrder()
    {
        var name = RmqClusterFixture.UniqueName("prod-bb");
        var producer = Producer(name);
        // Far enough ahead that a loaded machine's first call (activation, JIT) still lands before it: a due time
        // already past is published at once, not scheduled.
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        var messages = Enumerable.Range(0, 50).Select(i => RmqMessage.Bytes([(byte)i, 0xFE]).At(due)).ToList();
        var results = await producer.PublishBatch(messages);
        Assert.All(results, r => Assert.Equal(PublishStatus.Scheduled, r.Status));
        await Queue(name).GetStats();
        await Eventually.Equal(50L, () => Ready(name), "ready");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => Hex([(byte)i, 0xFE])), await ReadyHex(name));
    }

    [Fact]
    public async Task BadMessages_AreRefusedWithWhatToDo_AndNothingIsWritten()
    {
        var name = RmqClusterFixture.UniqueName("prod-x");
        var producer = Producer(name);
        async Task Refused(Func<Task> publish, string words)
        {
            var e = await Assert.ThrowsAnyAsync<ArgumentException>(publish);
            Assert.Contains(words, e.Message);
        }
        var both = RmqMessage.Text("x").WithOptions(new PublishOptions { Delay = TimeSpan.FromSeconds(1), DueAt = DateTimeOffset.UtcNow.AddSeconds(5) });
        await Refused(() => producer.Publish(both), "both Delay and DueAt");
        await Refused(() => producer.Publish(RmqMessage.Text("x").WithOptions(new PublishOptions { DedupWindow = Long })), "no DedupKey");
        await Refused(() => producer.Publish(RmqMessage.Text("x").WithOptions(new PublishOptions { DedupKey = "k", DedupWindow = TimeSpan.Zero })), "window must be at least 1 ms");
        await Refused(() => producer.Publish(RmqMessage.Text("x").WithOptions(new PublishOptions { Delay = TimeSpan.FromDays(400) })), "at most 365 days");
        await Refused(() => producer.Publish(null!), "message is null");
        await Refused(() => producer.Publish(RmqMessage.Bytes(new byte[RmqClusterFixture.MaxPayloadBytes + 1])), "Rmq:MaxPayloadBytes");
        // One bad message in a batch: none of the batch is written.
        await Refused(() => producer.PublishBatch([RmqMessage.Text("fine"), RmqMessage.Text("fine too").At(DateTimeOffset.UtcNow.AddMinutes(1)), both]), "messages[2]");
        await Refused(() => producer.PublishBatch([RmqMessage.Text("fine"), null!]), "messages[1] is null");
        await Refused(() => producer.CancelScheduled(""), "1 to 100 characters");
        Assert.Throws<ArgumentOutOfRangeException>(() => RmqMessage.Text("x").Delayed(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentException>(() => RmqMessage.Text("x").Unique("", Long));
        Assert.Throws<ArgumentNullException>(() => RmqMessage.Text(null!));

        Assert.False(await Db.KeyExistsAsync(Keys.Ready(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.Scheduled(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.Dedup(name, "k")));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Queues, name));
    }

    [Fact]
    public async Task ACancelledToken_PublishesNothing()
    {
        var name = RmqClusterFixture.UniqueName("prod-c");
        var producer = Producer(name);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => producer.Publish(RmqMessage.Text("x"), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => producer.PublishBatch([RmqMessage.Text("x")], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => producer.CancelScheduled("id", cancelled.Token));
        Assert.False(await Db.KeyExistsAsync(Keys.Ready(name)));
    }

    [Fact]
    public async Task JsonAndTracing_WorkOnThisPath()
    {
        var name = RmqClusterFixture.UniqueName("prod-j");
        var producer = Producer(name);
        var order = new { Id = "o-1", Amount = 12.5m };
        await producer.PublishJson(order);

        Activity? published = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RmqTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => published = a,
        };
        ActivitySource.AddActivityListener(listener);
        await producer.PublishTraced(RmqMessage.Json(order).WithHeaders(Tenant("acme")));
        Assert.NotNull(published);
        Assert.Equal(ActivityKind.Producer, published.Kind);

        var ready = await Db.ListRangeAsync(Keys.Ready(name));
        Assert.Equal(JsonSerializer.Serialize(order), Encoding.UTF8.GetString((byte[])ready[^1]!));
        Assert.True(HeaderCodec.TryDecode((byte[])ready[0]!, out var headers, out var payload, out _));
        Assert.Equal(JsonSerializer.Serialize(order), Encoding.UTF8.GetString(payload));
        Assert.Equal([$"00-{published.TraceId}-{published.SpanId}-01"], headers[RmqTracing.TraceParentHeader]);
        Assert.Equal(["acme"], headers["tenant"]);
    }
}

[Collection(ClassicCollection.Name)]
public sealed class ProducerContractTests_Grain_Classic(ClassicClusterFixture fixture) : ProducerContractTests(fixture, direct: false);

[Collection(ClassicCollection.Name)]
public sealed class ProducerContractTests_Direct_Classic(ClassicClusterFixture fixture) : ProducerContractTests(fixture, direct: true);

[Collection(ClusterDialectCollection.Name)]
public sealed class ProducerContractTests_Grain_Cluster(ClusterDialectClusterFixture fixture) : ProducerContractTests(fixture, direct: false);

[Collection(ClusterDialectCollection.Name)]
public sealed class ProducerContractTests_Direct_Cluster(ClusterDialectClusterFixture fixture) : ProducerContractTests(fixture, direct: true);
