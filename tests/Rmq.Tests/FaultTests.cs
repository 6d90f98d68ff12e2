using System.Text;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// One test per fault class that used to stop a consuming queue silently or lose a delivery. Each runs
/// against a real redis-server with the fault injected for real (FAULTS.md), and checks where every
/// delivery ended by reading every list from Redis.
/// </summary>
public sealed class FaultTests(FaultClusterFixture fixture, ITestOutputHelper output) : IClassFixture<FaultClusterFixture>
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    private IQueueGrain Queue(string name) => fixture.Grains.GetGrain<IQueueGrain>(name);

    private Task<(long Ready, long Unacked, long Rejected)> Counts(string queue) => fixture.Multiplexer.CountsAsync(Keys, queue);

    private async Task<ITestConsumerGrain> ConsumerAsync(ConsumerBehaviour behaviour)
    {
        var consumer = fixture.Grains.GetGrain<ITestConsumerGrain>(Guid.NewGuid().ToString());
        await consumer.Configure(behaviour);
        return consumer;
    }

    private static byte[] Element(string json, string payload) =>
        [.. HeaderCodec.Signature, .. Encoding.UTF8.GetBytes(json), (byte)'\n', .. Encoding.UTF8.GetBytes(payload)];

    [Fact]
    [Trait("Garnet", "core")]
    public async Task OddHeaderElements_AreDecodedLikeGoOrRejectedRaw_AndTheQueueGoesOn()
    {
        var name = RmqClusterFixture.UniqueName("odd");
        byte[] loneSurrogate = Element("""{"a":["\ud800"]}""", "lone");
        byte[] invalidUtf8 = [.. HeaderCodec.Signature, .. "{\"a\":[\""u8, 0xC3, 0x28, .. "\"]}\n"u8, .. "bad-utf8"u8];
        byte[] notAStringMap = Element("""{"a":"b"}""", "not-a-map");
        byte[] notAnObject = Element("[1,2]", "not-an-object");
        // Oldest first: each odd one stands in front of a good one.
        RedisValue[] oldestFirst = [loneSurrogate, "good-1", invalidUtf8, "good-2", notAStringMap, "good-3", notAnObject, "good-4"];
        await Db.ListLeftPushAsync(Keys.Ready(name), oldestFirst);

        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("odd", consumer);
        await Eventually.Equal((0L, 0L, 2L), () => Counts(name), "(ready, unacked, rejected)");

        // As Go's encoding/json: a lone surrogate and invalid UTF-8 become U+FFFD and are delivered.
        var delivered = await consumer.GetDeliveries();
        Assert.Equal(["lone", "good-1", "bad-utf8", "good-2", "good-3", "good-4"], delivered.Select(d => d.Payload));
        Assert.Equal(["\uFFFD"], delivered[0].Headers["a"]);
        Assert.Equal(["\uFFFD("], delivered[2].Headers["a"]);
        // Valid JSON that is not a map of string arrays is rejected raw, byte for byte, never delivered.
        var rejected = (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (byte[])v!).ToList();
        Assert.Contains(rejected, r => r.AsSpan().SequenceEqual(notAStringMap));
        Assert.Contains(rejected, r => r.AsSpan().SequenceEqual(notAnObject));

        // The queue goes on, and Drain over the same kinds of element returns every one it popped.
        await queue.Publish("after");
        await Eventually.Equal(7, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        await queue.StopConsuming();
        await Db.ListLeftPushAsync(Keys.Ready(name), oldestFirst);
        var drained = await queue.Drain(100);
        Assert.Equal(8, drained.Count);
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready(name)));
    }

    [Fact]
    [Trait("Garnet", "core")]
    public async Task AServerErrorOnAQueueKey_IsRetried_AndNothingIsLost()
    {
        var name = RmqClusterFixture.UniqueName("wrongtype");
        var queue = Queue(name);
        await queue.StartConsuming(20, Poll);
        await queue.AddConsumer("rejecter", await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Reject)));
        // The rejected list becomes a string: every round trip that applies a reject now fails with WRONGTYPE.
        await Db.StringSetAsync(Keys.Rejected(name), "not a list");
        await queue.PublishBatch(Enumerable.Range(0, 200).Select(i => $"w{i}").ToList());
        await Eventually.True(async () => (await queue.GetConsumingStatus()).State == ConsumingState.Degraded, "degraded while Redis fails");
        var status = await queue.GetConsumingStatus();
        Assert.Contains("WRONGTYPE", status.LastError);
        await Task.Delay(500);
        await Db.KeyDeleteAsync(Keys.Rejected(name));

        await Eventually.Equal((0L, 0L, 200L), () => Counts(name), "(ready, unacked, rejected)");
        // Redis shows the outcomes as soon as the script ran; the engine says Consuming once it has read the reply.
        await Eventually.Equal(ConsumingState.Consuming, async () => (await queue.GetConsumingStatus()).State, "state after Redis answers again");
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"w{i}").Order(), (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (string)v!).Order());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task LostReplies_WithIdenticalPayloads_EveryOutcomeIsAppliedExactlyOnce()
    {
        const int total = 3000;
        var name = RmqClusterFixture.UniqueName("lost");
        var queue = Queue(name);
        // Identical payloads: an ack applied twice would remove another copy, a reject then find nothing.
        await queue.PublishBatch(Enumerable.Repeat("same", total).ToList());
        await queue.StartConsuming(100, Poll);
        for (var i = 0; i < 8; i++) await queue.AddConsumer("alt", fixture.Grains.GetGrain<IAlternatingConsumerGrain>($"{name}-{i}"));
        await Eventually.True(() => Task.FromResult(OutcomeTally.Of(name, DeliveryOutcome.Ack) > 200), "consuming", 30);

        // Redis sleeps longer than the silo's 800 ms client timeout: scripts sent meanwhile time out in
        // the client and then run anyway — their replies are lost. Twice, to be sure outcomes were in flight.
        await using var admin = await fixture.ConnectAsync();
        for (var round = 0; round < 2; round++)
        {
            await admin.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "1.5");
            await Task.Delay(300);
        }

        await Eventually.True(async () => await Counts(name) is (0, 0, _) && OutcomeTally.Of(name, DeliveryOutcome.Ack) + OutcomeTally.Of(name, DeliveryOutcome.Reject) >= total,
            "ready and unacked empty", 60);
        var acks = OutcomeTally.Of(name, DeliveryOutcome.Ack);
        var rejects = OutcomeTally.Of(name, DeliveryOutcome.Reject);
        output.WriteLine($"acks {acks}, rejects {rejects}, rejected list {await Db.ListLengthAsync(Keys.Rejected(name))}");
        // Each delivery was consumed once and its outcome applied once: nothing lost, nothing doubled.
        Assert.Equal(total, acks + rejects);
        Assert.Equal(rejects, await Db.ListLengthAsync(Keys.Rejected(name)));
        await queue.StopConsuming();
    }

    [Fact]
    [Trait("Garnet", "core")]
    public async Task FlushedRedis_TheQueueRegistersAgainWithItsConfigurationAndGoesOn()
    {
        var name = RmqClusterFixture.UniqueName("flush");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, Poll);
        var consumerName = await queue.AddConsumer("flush", consumer);
        await queue.Publish("before");
        await Eventually.Equal(1, async () => (await consumer.GetDeliveries()).Count, "consumed before the flush");
        var before = (await queue.GetConnectionName())!;

        await Db.ExecuteAsync("FLUSHDB");

        await Eventually.True(async () => await queue.GetConnectionName() is { } now && now != before, "a new connection", 15);
        var after = (await queue.GetConnectionName())!;
        Assert.True(await Db.SetContainsAsync(RedisKeys.Connections, after));
        Assert.True(await Db.KeyExistsAsync(RedisKeys.Heartbeat(after)));
        // The configuration held in memory is back in Redis, so another activation would resume too.
        Assert.Equal(10, (int)await Db.HashGetAsync(Keys.ConsumingConfig(name), "prefetch"));
        Assert.True(await Db.HashExistsAsync(Keys.ConsumerGrains(name), consumerName));
        Assert.True(await Db.SetContainsAsync(RedisKeys.ConsumingQueues, name));

        await Db.ListLeftPushAsync(Keys.Ready(name), "after");
        await Eventually.Equal(2, async () => (await consumer.GetDeliveries()).Count, "consumed after the flush");
        Assert.Equal((0L, 0L, 0L), await Counts(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AConsumerSlowerThanTheTimeout_IsRetriedAFewTimes_ThenTheDeliveryGoesToRejectedSayingWhy()
    {
        var name = RmqClusterFixture.UniqueName("slow");
        var queue = Queue(name);
        var consumer = fixture.Grains.GetGrain<ISlowConsumerGrain>(name);
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("slow", consumer);
        await queue.Publish(RmqMessage.Text("too slow").WithHeaders(new Dictionary<string, string[]> { ["tenant"] = ["acme"] }));

        await Eventually.Equal((0L, 0L, 1L), () => Counts(name), "(ready, unacked, rejected)", 30);
        // Each timeout counted one attempt; never delivered without limit.
        Assert.Equal(FaultClusterFixture.ConsumerMaxAttempts, await consumer.Calls());
        var raw = (byte[])(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0))!;
        Assert.True(HeaderCodec.TryDecode(raw, out var headers, out var payload, out _));
        Assert.Equal("too slow", Encoding.UTF8.GetString(payload));
        Assert.Equal(["acme"], headers["tenant"]);
        Assert.Equal([DeadLetterHeaders.ConsumerTimeout], headers[DeadLetterHeaders.Reason]);
        Assert.Equal([FaultClusterFixture.ConsumerMaxAttempts.ToString()], headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("did not answer within", headers[DeadLetterHeaders.LastError][0]);
        await Task.Delay(500);
        Assert.Equal(FaultClusterFixture.ConsumerMaxAttempts, await consumer.Calls());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task WithARetryPolicy_ATimedOutCall_IsAFailedAttempt_RetriedThroughTheScheduledSet_ThenDeadLettered()
    {
        var name = RmqClusterFixture.UniqueName("slow-rp");
        var queue = Queue(name);
        var consumer = fixture.Grains.GetGrain<ISlowConsumerGrain>(name);
        await queue.SetRetryPolicy(new RetryPolicy(2, TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromSeconds(1), 0));
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("slow", consumer);
        await queue.Publish("too slow, twice");

        // The first timeout schedules attempt 2 (the element in the scheduled set carries rmq-attempt 2).
        await Eventually.True(async () => (await queue.GetStats()).RetriedCount == 1, "one retry", 15);
        await Eventually.Equal((0L, 0L, 1L), () => Counts(name), "(ready, unacked, rejected)", 30);
        Assert.Equal(2, await consumer.Calls());
        var raw = (byte[])(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0))!;
        Assert.True(HeaderCodec.TryDecode(raw, out var headers, out var payload, out _));
        Assert.Equal("too slow, twice", Encoding.UTF8.GetString(payload));
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], headers[DeadLetterHeaders.Reason]);
        Assert.Equal(["2"], headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("did not answer within", headers[DeadLetterHeaders.LastError][0]);
        Assert.Equal(0, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.Equal(1, (await queue.GetStats()).DeadLetteredCount);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AConsumerThatAlwaysThrows_BacksOff_InsteadOfEmptyingTheBacklogIntoRejected()
    {
        var name = RmqClusterFixture.UniqueName("throws");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Throwing);
        await queue.PublishBatch(Enumerable.Range(0, 100).Select(i => $"t{i}").ToList());
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("throws", consumer);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // Backoff 0.2, 0.4, 0.8, 1.6 s…: a handful of calls in 2.5 s, not a hundred.
        var (ready, unacked, rejected) = await Counts(name);
        var calls = (await consumer.GetDeliveries()).Count;
        output.WriteLine($"after 2.5 s: {calls} calls, ready {ready}, unacked {unacked}, rejected {rejected}");
        Assert.InRange(calls, 2, 8);
        Assert.Equal(calls, rejected);
        Assert.Equal(100, ready + unacked + rejected);
        await queue.StopConsuming();
        Assert.Equal((100 - rejected, 0L, rejected), await Counts(name));
    }

    [Fact]
    public async Task AQueueWithWorkAndNoProgress_IsReportedStalled_AndRecovers()
    {
        var name = RmqClusterFixture.UniqueName("stall");
        var queue = Queue(name);
        await queue.StartConsuming(10, Poll);
        await queue.PublishBatch(["s1", "s2", "s3"]);
        Assert.False((await queue.GetConsumingStatus()).Stalled);

        // No consumer: the deliveries wait, nothing moves; after the 2 s stall timeout it says so.
        await Eventually.True(async () => (await queue.GetConsumingStatus()).Stalled, "stalled", 10);
        var stats = await queue.GetStats();
        Assert.True(stats.Consuming!.Stalled);
        Assert.Contains("no consumers are registered", stats.Consuming.StalledReason);
        Assert.Equal(3, stats.Consuming.Prefetched);

        await queue.AddConsumer("late", await ConsumerAsync(ConsumerBehaviour.AutoAck));
        await Eventually.Equal((0L, 0L, 0L), () => Counts(name), "(ready, unacked, rejected)");
        await Eventually.True(async () => !(await queue.GetConsumingStatus()).Stalled, "no longer stalled", 5);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AnUnackedListWhoseConnectionIsNotRegistered_IsReturnedAfterTwiceTheTtl()
    {
        var name = RmqClusterFixture.UniqueName("orphan");
        var ghost = $"ghost-{name}";
        // What a consumer unregistered while it still fetched leaves behind: a list nobody owns.
        var written = DateTime.UtcNow;
        await Db.ListLeftPushAsync(Keys.Unacked(ghost, name), ["o1", "o2", "o3"]);
        var cleaner = fixture.Grains.GetGrain<ICleanerGrain>(0);
        // Orphans are swept at most once per TTL, and a sweep may have run just before this test: so passes
        // run often, and none may take the list before twice the TTL has passed since it was written...
        var ttl = FaultClusterFixture.HeartbeatTtl;
        while (DateTime.UtcNow - written < ttl * 2 - TimeSpan.FromMilliseconds(300))
        {
            await cleaner.Clean();
            Assert.Equal(3, await Db.ListLengthAsync(Keys.Unacked(ghost, name)));
            await Task.Delay(250);
        }
        // ...and one takes it within one more sweep period (twice the TTL after the first sweep that saw it).
        await Eventually.True(async () =>
        {
            await cleaner.Clean();
            return await Db.ListLengthAsync(Keys.Unacked(ghost, name)) == 0;
        }, "the orphaned list returned", (ttl * 2).TotalSeconds + 5);
        Assert.Equal(["o3", "o2", "o1"], (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!));
    }

    [Fact]
    public async Task RedisHangingLongerThanTheHeartbeatLimit_TheConnectionIsGivenUpInTime_AndNothingIsLost()
    {
        const int total = 2000;
        var name = RmqClusterFixture.UniqueName("hang");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, total).Select(i => $"h{i}").ToList());
        await queue.StartConsuming(50, Poll);
        for (var i = 0; i < 4; i++) await queue.AddConsumer("hang", fixture.Grains.GetGrain<IRecordingConsumerGrain>($"{name}-{i}"));
        await Eventually.True(() => Task.FromResult(ConsumptionLog.Of(name).Count > 100), "consuming", 30);
        var before = (await queue.GetConnectionName())!;

        // Every command hangs for 5 s, past the 3.5 s heartbeat limit (each failed heartbeat itself takes
        // the 800 ms client timeout: counting failed ticks would give up only after ~15 s, past the TTL).
        await using var admin = await fixture.ConnectAsync();
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "5000", "ALL");
        await Eventually.True(async () => (await queue.GetConsumingStatus()).State is ConsumingState.Recovering or ConsumingState.Opening,
            "connection given up while Redis hangs", 6);

        await Eventually.True(async () => await queue.GetConnectionName() is { } now && now != before, "a new connection", 20);
        await Eventually.True(async () =>
            ConsumptionLog.Of(name).Select(r => r.Payload).Distinct().Count() == total && await Counts(name) == (0, 0, 0),
            "every delivery consumed, every list empty", 60);
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, before));
        await queue.StopConsuming();
    }

    [Fact]
    [Trait("Garnet", "core")]
    public async Task StopConsumingRacingAddConsumer_LeavesTheQueueStoppedWithNothingPersisted()
    {
        for (var round = 0; round < 10; round++)
        {
            var name = RmqClusterFixture.UniqueName("race");
            var queue = Queue(name);
            await queue.StartConsuming(5, Poll);
            var add = queue.AddConsumer("racer", await ConsumerAsync(ConsumerBehaviour.AutoAck));
            var stop = queue.StopConsuming();
            try { await add; }
            catch (InvalidOperationException) { /* the stop came first: refused, as it should be */ }
            await stop;

            Assert.Null(await queue.GetConnectionName());
            Assert.Equal(ConsumingState.NotConsuming, (await queue.GetConsumingStatus()).State);
            Assert.False(await Db.KeyExistsAsync(Keys.ConsumerGrains(name)), $"round {round}: a consumer registration outlived StopConsuming");
            Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "prefetch"));
            Assert.False(await Db.SetContainsAsync(RedisKeys.ConsumingQueues, name));
        }
    }

    [Fact]
    public async Task AQueueThatFindsNoConfigurationAfterRedisCameBack_KeepsNoTimerAndCanBeCollected()
    {
        var name = RmqClusterFixture.UniqueName("idle");
        var queue = Queue(name);
        var management = fixture.Grains.GetGrain<IManagementGrain>(0);
        // Activated while Redis does not answer: reading its configuration fails, a timer retries.
        await using var admin = await fixture.ConnectAsync();
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL");
        Assert.Equal(ConsumingState.NotConsuming, (await queue.GetConsumingStatus()).State);
        Assert.NotNull(await management.GetActivationAddress(queue));

        // Redis answers again and there is nothing to resume: the retry timer must be gone with it, or
        // (KeepAlive) the idle grain would stay activated for ever.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await management.ForceActivationCollection(TimeSpan.FromSeconds(1));
        await Eventually.True(async () => await management.GetActivationAddress(queue) is null, "idle queue grain collected", 10);
    }
}
