using System.Text;
using Rmq.Publishing;

namespace Rmq.Tests;

/// <summary>
/// Delayed and scheduled deliveries through the queue grain and the direct publisher: one script and one
/// pair of keys per queue (the rmq-scheduled ZSET, the rmq-scheduled-elements HASH), moved to ready when due
/// by the queue grain's scheduler or the cleaner's pass. Both dialects; the cluster dialect on a real Redis
/// Cluster, where a script whose keys spanned hash slots would be refused (CROSSSLOT). The fixture's
/// cleaner timer is off: the tests that need the cleaner call <see cref="ICleanerGrain.Clean"/>.
/// </summary>
public abstract class ScheduledTests(RmqClusterFixture fixture) : QueueTestBase(fixture), IAsyncLifetime
{
    private static readonly TimeSpan Later = TimeSpan.FromHours(1);
    private RmqPublisher _publisher = null!;

    public async Task InitializeAsync() =>
        _publisher = await RmqPublisher.ConnectAsync(o =>
        {
            o.RedisConnectionString = Fixture.RedisConnectionString;
            o.KeyDialect = Fixture.Dialect;
            o.MaxPayloadBytes = RmqClusterFixture.MaxPayloadBytes;
        });

    public async Task DisposeAsync() => await _publisher.DisposeAsync();

    private Task<long> Scheduled(string queue) => Db.SortedSetLengthAsync(Keys.Scheduled(queue));

    /// <summary>ready in consumption order (the right end first).</summary>
    private async Task<List<string>> ReadyInConsumptionOrder(string queue) =>
        (await Db.ListRangeAsync(Keys.Ready(queue))).Reverse().Select(v => (string)v!).ToList();

    [Fact]
    public async Task ADirectDelayedDelivery_ToAConsumingQueueWithNothingScheduled_IsConsumedWhenDue_WithoutTheCleaner()
    {
        // The grain is active and its scheduler has found nothing to do; the direct publisher does not
        // arm it, and the fixture's cleaner is off: the consuming queue's scheduler must keep looking.
        var name = RmqClusterFixture.UniqueName("sched-direct");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(10));
        await queue.AddConsumer("sched", consumer);
        await Task.Delay(Rmq.Queue.QueueGrain.SchedulerMaxSleep * 1.5);
        await _publisher.Queue(name).Publish(RmqMessage.Text("due").Delayed(TimeSpan.FromMilliseconds(200)));
        await Eventually.Equal("due", async () => string.Join(",", await Payloads(consumer)), "consumed");
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(0, await Scheduled(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ADirectDelayedDelivery_ToAnActiveQueueThatDoesNotConsume_IsMovedWhenDue_AfterOneCleanerPass()
    {
        // The grain is active (GetStats) and not consuming, so its scheduler stopped when it found nothing.
        // A direct publish does not arm it; one cleaner pass before the due time must (the fixture's cleaner
        // timer is off, so no later pass moves it). A Go consumer would take it from ready.
        var name = RmqClusterFixture.UniqueName("sched-idle");
        var queue = Queue(name);
        await queue.GetStats();
        await Task.Delay(Rmq.Queue.QueueGrain.SchedulerMaxSleep * 1.5);
        await _publisher.Queue(name).Publish(RmqMessage.Text("due").Delayed(TimeSpan.FromSeconds(3)));
        await Fixture.Grains.GetGrain<ICleanerGrain>(0).Clean();
        Assert.Equal(0, await Ready(name)); // not due yet: the pass only woke the scheduler
        await Eventually.Equal("due", async () => string.Join(",", await ReadyInConsumptionOrder(name)), "ready", 8);
        Assert.Equal(0, await Scheduled(name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADelayedDelivery_WaitsInTheScheduledSet_UntilDue_ThenIsConsumed_AndTheSumHolds(bool direct)
    {
        var name = RmqClusterFixture.UniqueName("sched");
        var queue = Queue(name);
        IRmqProducer producer = direct ? _publisher.Queue(name) : queue.AsProducer();
        async Task<string> publishDelayed(string payload, TimeSpan delay) => (await producer.Publish(RmqMessage.Text(payload).Delayed(delay))).ScheduledId!;
        var later = await publishDelayed("later", Later);
        var soon = await publishDelayed("soon", TimeSpan.FromMilliseconds(200));
        Assert.NotEqual(later, soon);
        Assert.True(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));
        Assert.True(await Db.SetContainsAsync(RedisKeys.Queues, name));

        // The one due in an hour is surely not in ready; the one due soon is moved once due. Through the
        // direct publisher nothing has activated the queue grain yet: GetStats does (in production the
        // cleaner's ping), and its scheduler moves it.
        var stats = await queue.GetStats();
        Assert.True(stats.ScheduledCount >= 1, $"scheduled {stats.ScheduledCount}");
        await Eventually.Equal("soon", async () => string.Join(",", await ReadyInConsumptionOrder(name)), "ready");
        Assert.Equal(1, await Scheduled(name));
        Assert.Equal("later", (string?)await Db.HashGetAsync(Keys.ScheduledElements(name), later));
        Assert.Equal(1, (await queue.GetStats()).ScheduledCount);

        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(10));
        await queue.AddConsumer("sched", consumer);
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(["soon"], await Payloads(consumer));

        // published (2) = scheduled + ready + unacked + rejected + consumed
        var (ready, unacked, rejected) = await Counts(name);
        Assert.Equal(2, await Scheduled(name) + ready + unacked + rejected + (await consumer.GetDeliveries()).Count);

        Func<string, Task<bool>> cancel = id => producer.CancelScheduled(id);
        Assert.False(await cancel(soon));                       // already moved to ready (and consumed)
        Assert.True(await cancel(later));
        Assert.False(await cancel(later));                      // already cancelled
        Assert.False(await cancel("no-such-id"));
        Assert.Equal(0, await Scheduled(name));
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ScheduledElements(name)));
        Assert.Equal(0, (await queue.GetStats()).ScheduledCount);
        await queue.StopConsuming();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DueTimes_AreMovedInTheirOrder_IdenticalPayloadsBothArrive_AndABatchKeepsItsOrder(bool direct)
    {
        var name = RmqClusterFixture.UniqueName("sched-o");
        var queue = Queue(name);
        var publisher = _publisher.Queue(name);
        IRmqProducer producer = direct ? publisher : queue.AsProducer();
        async Task<string> publishAt(string payload, DateTimeOffset due) => (await producer.Publish(RmqMessage.Text(payload).At(due))).ScheduledId!;
        async Task<IReadOnlyList<string>> batchAt(IReadOnlyList<string> payloads, DateTimeOffset due) =>
            (await producer.PublishBatch(payloads.Select(p => RmqMessage.Text(p).At(due)).ToList())).Select(r => r.ScheduledId!).ToList();
        var now = DateTimeOffset.UtcNow;
        var ids = new List<string>
        {
            await publishAt("c", now.AddMilliseconds(900)),
            await publishAt("a", now.AddMilliseconds(300)),
            await publishAt("b", now.AddMilliseconds(600)),
            await publishAt("a", now.AddMilliseconds(300)),
        };
        ids.AddRange(await batchAt(["d1", "d2", "d3"], now.AddMilliseconds(1200)));
        Assert.Equal(7, ids.Distinct().Count());
        Assert.Equal(7, await Scheduled(name) + await Ready(name)); // the earliest may be due already
        // The score is the due time in unix milliseconds.
        var far = DateTimeOffset.UtcNow + Later;
        var farId = await publishAt("far", far);
        Assert.Equal(Scheduling.DueMilliseconds(far), (long)(await Db.SortedSetScoreAsync(Keys.Scheduled(name), farId))!.Value);
        Assert.True(await queue.CancelScheduled(farId));

        await queue.GetStats(); // activates the scheduler for the direct path (the cleaner's ping in production)
        await Eventually.Equal(0L, () => Scheduled(name), "scheduled");
        Assert.Equal(["a", "a", "b", "c", "d1", "d2", "d3"], await ReadyInConsumptionOrder(name));
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ScheduledElements(name)));
    }

    [Fact]
    public async Task AGoRmqStyleConsumer_WithNoRmqConsumer_ReceivesTheDelayedDelivery_AsPublishWritesIt()
    {
        var name = RmqClusterFixture.UniqueName("sched-go");
        var plain = RmqClusterFixture.UniqueName("sched-pl");
        var headers = new Dictionary<string, string[]> { ["traceparent"] = ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"] };
        byte[] binary = [0, 0xFF, 10, 0xFE];
        var queue = Queue(name);
        await queue.Publish(RmqMessage.Text("with headers").WithHeaders(headers).At(DateTimeOffset.UtcNow.AddMilliseconds(200)));
        await queue.Publish(RmqMessage.Bytes(binary).Delayed(TimeSpan.FromMilliseconds(400)));
        await Queue(plain).Publish(RmqMessage.Text("with headers").WithHeaders(headers));
        await Queue(plain).PublishBytes(binary);
        var expected = (await Db.ListRangeAsync(Keys.Ready(plain))).Reverse().Select(v => Convert.ToHexString((byte[])v!)).ToList();

        // Go rmq's consumer: RPOPLPUSH ready → its own unacked list, nothing of Rmq's consuming involved.
        var unacked = Keys.Unacked("go-consumer-" + name, name);
        var received = new List<string>();
        await Eventually.Equal(2, async () =>
        {
            var element = await Db.ListRightPopLeftPushAsync(Keys.Ready(name), unacked);
            if (!element.IsNull) received.Add(Convert.ToHexString((byte[])element!));
            return received.Count;
        }, "deliveries the Go-style consumer received");
        Assert.Equal(expected, received);
        Assert.Null(await queue.GetConnectionName());
        Assert.Equal(0, await Scheduled(name));
        await Db.KeyDeleteAsync(unacked);
    }

    [Fact]
    public async Task TheCleanersPass_MovesDueDeliveries_ThatOnlyTheDirectPublisherScheduled()
    {
        var name = RmqClusterFixture.UniqueName("sched-cl");
        var due = DateTimeOffset.UtcNow.AddMilliseconds(100);
        await _publisher.Queue(name).Publish(RmqMessage.Text("from another process").At(due));
        await _publisher.Queue(name).Publish(RmqMessage.Text("not yet").At(DateTimeOffset.UtcNow + Later));
        Assert.Equal(0, await Ready(name));
        // Waits until Redis's clock has passed the due time (not a timing assertion: nothing is measured).
        await Eventually.True(async () =>
        {
            var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
            return (long)time[0] * 1000 + (long)time[1] / 1000 > Scheduling.DueMilliseconds(due);
        }, "Redis's clock past the due time");

        await Fixture.Grains.GetGrain<ICleanerGrain>(0).Clean();
        Assert.Equal(["from another process"], await ReadyInConsumptionOrder(name));
        Assert.Equal(1, await Scheduled(name));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AZeroDelayOrAPastDueTime_PublishesAtOnce(bool direct)
    {
        var name = RmqClusterFixture.UniqueName("sched-0");
        var queue = Queue(name);
        var publisher = _publisher.Queue(name);
        IRmqProducer producer = direct ? publisher : queue.AsProducer();
        var zero = await producer.Publish(RmqMessage.Text("zero").Delayed(TimeSpan.Zero));
        var past = await producer.Publish(RmqMessage.Bytes([1, 2]).At(DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.Equal(PublishResult.Published, zero);
        Assert.Equal(PublishResult.Published, past);
        Assert.Equal(2, await Ready(name));
        Assert.Equal("zero", (string?)await Db.ListGetByIndexAsync(Keys.Ready(name), -1));
        Assert.Equal(0, await Scheduled(name));
        Assert.Equal(2, await Ready(name));
    }

    [Fact]
    public async Task TheScheduledKeys_AreInTheQueuesHashSlot_AndNamedAsDocumented()
    {
        var name = RmqClusterFixture.UniqueName("sched-s");
        await Queue(name).Publish(RmqMessage.Text("x").Delayed(Later));
        var tag = Fixture.Dialect == KeyDialect.Cluster ? $"{{{name}}}" : $"[{name}]";
        Assert.Equal($"rmq::queue::{tag}::rmq-scheduled", (string)Keys.Scheduled(name)!);
        Assert.Equal($"rmq::queue::{tag}::rmq-scheduled-elements", (string)Keys.ScheduledElements(name)!);
        Assert.Equal(RedisType.SortedSet, await Db.KeyTypeAsync(Keys.Scheduled(name)));
        Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(Keys.ScheduledElements(name)));
        if (Fixture.Dialect == KeyDialect.Cluster)
        {
            var slot = Fixture.Multiplexer.HashSlot(Keys.Ready(name));
            Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.Scheduled(name)));
            Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.ScheduledElements(name)));
        }
    }

    [Fact]
    public async Task TheSchedulerAndTheCleaner_MovingAtOnce_MoveEachDeliveryOnce_InBatchesOf1000()
    {
        var name = RmqClusterFixture.UniqueName("sched-m");
        var queue = Queue(name);
        const int count = 2_500;
        var due = DateTimeOffset.UtcNow.AddMilliseconds(300);
        for (var i = 0; i < count; i += 500)
            await _publisher.Queue(name).PublishBatch(Enumerable.Range(i, 500).Select(n => RmqMessage.Text($"m{n}").At(due)).ToList());
        await queue.Publish(RmqMessage.Text("via grain").At(due)); // arms the grain's scheduler
        var cleaner = Fixture.Grains.GetGrain<ICleanerGrain>(0);
        await Eventually.True(async () =>
        {
            // The cleaner's passes race the scheduler for the same due deliveries.
            await Task.WhenAll(cleaner.Clean(), queue.GetStats());
            return await Scheduled(name) == 0;
        }, "everything moved");
        var ready = await ReadyInConsumptionOrder(name);
        Assert.Equal(count + 1, ready.Count);
        Assert.Equal(count + 1, ready.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, count).Select(n => $"m{n}").Order(), ready.Where(p => p.StartsWith('m')).Order());
        // Equal due times move in id order, so each batch arrives in its own order.
        for (var batch = 0; batch < count; batch += 500)
        {
            var expected = Enumerable.Range(batch, 500).Select(n => $"m{n}").ToHashSet();
            Assert.Equal(Enumerable.Range(batch, 500).Select(n => $"m{n}"), ready.Where(expected.Contains));
        }
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ScheduledElements(name)));
    }

    [Fact]
    public async Task TheStatsOverview_CountsScheduledDeliveries_AndDestroyDeletesThem()
    {
        var name = RmqClusterFixture.UniqueName("sched-d");
        var queue = Queue(name);
        await queue.Publish(RmqMessage.Text("a").Delayed(Later));
        await _publisher.Queue(name).Publish(RmqMessage.Text("a").Delayed(Later));
        await queue.Publish("ready one");
        var overview = await Fixture.Grains.GetGrain<IStatsGrain>(0).GetOverview();
        var entry = overview.Queues.Single(q => q.Name == name);
        Assert.Equal((2L, 1L), (entry.ScheduledCount, entry.ReadyCount));

        var destroyed = await queue.Destroy();
        Assert.Equal(new QueueDestroyResult(1, 0, 2), destroyed);
        Assert.False(await Db.KeyExistsAsync(Keys.Scheduled(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.ScheduledElements(name)));
        Assert.Equal(0, (await queue.GetStats()).ScheduledCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BadArguments_AreRejectedNamingTheArgument_AndNothingIsWritten(bool direct)
    {
        var name = RmqClusterFixture.UniqueName("sched-bad");
        var grain = Queue(name);
        var publisher = _publisher.Queue(name);
        async Task Rejects<T>(Func<Task> call, string parameter, string rule) where T : ArgumentException
        {
            var e = await Assert.ThrowsAnyAsync<T>(call);
            // Orleans does not carry ParamName across a grain call; the message names the argument.
            if (direct) Assert.Equal(parameter, e.ParamName);
            Assert.Contains(parameter, e.Message);
            Assert.Contains(rule, e.Message);
        }
        var tooFar = DateTimeOffset.UtcNow + Scheduling.MaxDelay + TimeSpan.FromDays(1);
        var big = new byte[RmqClusterFixture.MaxPayloadBytes + 1];
        var headers = new Dictionary<string, string[]>();
        if (direct)
        {
            await Rejects<ArgumentNullException>(() => publisher.Publish(RmqMessage.Text(null!).Delayed(Later)), "payload", "payload");
            await Rejects<ArgumentOutOfRangeException>(() => publisher.Publish(RmqMessage.Text("x").Delayed(TimeSpan.FromMilliseconds(-1))), "delay", "at least 0");
            await Rejects<ArgumentOutOfRangeException>(() => publisher.Publish(RmqMessage.Bytes([1]).Delayed(Scheduling.MaxDelay + TimeSpan.FromDays(1))), "delay", "at most 365 days");
            await Rejects<ArgumentOutOfRangeException>(() => publisher.Publish(RmqMessage.Text("x").At(tooFar)), "due", "at most 365 days from now");
            await Rejects<ArgumentException>(() => publisher.Publish(RmqMessage.Bytes(big).At(DateTimeOffset.UtcNow)), "payload", "Rmq:MaxPayloadBytes");
            await Rejects<ArgumentNullException>(() => publisher.Publish(RmqMessage.Text("x").WithHeaders(null!).At(DateTimeOffset.UtcNow)), "headers", "headers");
            await Rejects<ArgumentException>(() => publisher.PublishBatch([RmqMessage.Text("a").At(DateTimeOffset.UtcNow), null!]), "messages[1]", "messages[1] is null");
            await Rejects<ArgumentNullException>(() => publisher.CancelScheduled(null!), "id", "id");
            await Rejects<ArgumentException>(() => publisher.CancelScheduled(""), "id", "1 to 100 characters");
        }
        else
        {
            await Rejects<ArgumentNullException>(() => grain.Publish(RmqMessage.Text(null!).Delayed(Later)), "payload", "payload");
            await Rejects<ArgumentOutOfRangeException>(() => grain.Publish(RmqMessage.Text("x").Delayed(TimeSpan.FromMilliseconds(-1))), "delay", "at least 0");
            await Rejects<ArgumentOutOfRangeException>(() => grain.Publish(RmqMessage.Bytes([1]).Delayed(Scheduling.MaxDelay + TimeSpan.FromDays(1))), "delay", "at most 365 days");
            await Rejects<ArgumentOutOfRangeException>(() => grain.Publish(RmqMessage.Text("x").At(tooFar)), "due", "at most 365 days from now");
            await Rejects<ArgumentException>(() => grain.Publish(RmqMessage.Bytes(big).At(DateTimeOffset.UtcNow)), "payload", "Rmq:MaxPayloadBytes");
            await Rejects<ArgumentNullException>(() => grain.Publish(RmqMessage.Bytes(null!).WithHeaders(headers).At(DateTimeOffset.UtcNow)), "payload", "payload");
            await Rejects<ArgumentException>(() => grain.PublishBatch(new List<RmqMessage> { RmqMessage.Text("a").At(DateTimeOffset.UtcNow), null! }), "messages[1]", "messages[1] is null");
            await Rejects<ArgumentNullException>(() => grain.CancelScheduled(null!), "id", "id");
            await Rejects<ArgumentException>(() => grain.CancelScheduled(new string('i', Scheduling.MaxIdLength + 1)), "id", "1 to 100 characters");
        }
        Assert.False(await Db.KeyExistsAsync(Keys.Ready(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.Scheduled(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.ScheduledElements(name)));
        Assert.False(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Queues, name));
        // The longest delay is accepted.
        var id = direct ? (await publisher.Publish(RmqMessage.Text("x").Delayed(Scheduling.MaxDelay))).ScheduledId! : (await grain.Publish(RmqMessage.Text("x").Delayed(Scheduling.MaxDelay))).ScheduledId!;
        Assert.Equal(1, await Scheduled(name));
        Assert.True(direct ? await publisher.CancelScheduled(id) : await grain.CancelScheduled(id));
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class ScheduledTests_Classic(ClassicClusterFixture fixture) : ScheduledTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class ScheduledTests_ClusterDialect(ClusterDialectClusterFixture fixture) : ScheduledTests(fixture);
