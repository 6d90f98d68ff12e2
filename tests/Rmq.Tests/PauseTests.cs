using Orleans.Core.Internal;

namespace Rmq.Tests;

/// <summary>
/// Pause and Resume: nothing is fetched or handed out while paused, calls in flight finish with their
/// outcomes applied, prefetched deliveries go back to the front of ready in order, the connection and its
/// heartbeat stay; the pause is persisted, so re-activations come back paused. Both dialects (the cluster
/// one on a real Redis Cluster); every count is read from Redis.
/// </summary>
public abstract class PauseTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>Long enough for a wrongly running engine to fetch and hand out (its poll is 10 ms); not a timing assertion.</summary>
    private static readonly TimeSpan GiveItAChance = TimeSpan.FromMilliseconds(300);

    private async Task<List<string>> ReadyNextFirst(string queue) =>
        (await Db.ListRangeAsync(Keys.Ready(queue))).Reverse().Select(v => (string)v!).ToList();

    [Fact]
    public async Task Pause_WhileAConsumerIsSlow_AppliesItsOutcome_ReturnsPrefetchedToTheFrontInOrder_ConsumesNothingUntilResume()
    {
        var name = RmqClusterFixture.UniqueName("pause");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.PublishBatch(Enumerable.Range(0, 15).Select(i => $"p{i}").ToList());
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("slow", consumer);
        // p0 in the consumer's hands, p1..p9 prefetched, p10..p14 in ready.
        await Eventually.Equal(1, () => consumer.HeldCount(), "held by the consumer");
        await EventuallyCounts(name, 5, 10, 0);
        var connection = (await queue.GetConnectionName())!;

        await queue.Pause();

        // The prefetched ones are next again, in their order, before what was behind them.
        await EventuallyCounts(name, 14, 1, 0);
        Assert.Equal(Enumerable.Range(1, 14).Select(i => $"p{i}"), await ReadyNextFirst(name));
        var status = await queue.GetConsumingStatus();
        Assert.Equal(ConsumingState.Paused, status.State);
        Assert.True(status.Paused);
        Assert.False(status.Stalled);
        Assert.Equal(1, status.InFlight);
        Assert.Equal(0, status.Prefetched);
        Assert.Equal(1, status.Consumers);
        Assert.Equal(connection, status.Connection);

        // The call in flight finishes; its outcome is applied, and nothing else is handed out.
        await consumer.Finish(DeliveryOutcome.Reject);
        await EventuallyCounts(name, 14, 0, 1);
        // New deliveries arrive, through the grain (which wakes the engine) and as plain LPUSH.
        await queue.PublishBatch(["p15", "p16"]);
        await Db.ListLeftPushAsync(Keys.Ready(name), "p17");
        await Task.Delay(GiveItAChance);
        Assert.Equal((17L, 0L, 1L), await Counts(name));
        Assert.Equal(["p0"], await Payloads(consumer));

        // Still registered, and the heartbeat is kept: a TTL cut short is set back to the full one.
        Assert.True(await Db.SetContainsAsync(RedisKeys.Connections, connection));
        Assert.Contains(name, (await Db.SetMembersAsync(RedisKeys.ConnectionQueues(connection))).Select(v => (string)v!));
        Assert.Equal(1, await Db.SetLengthAsync(Keys.Consumers(connection, name)));
        await Db.KeyExpireAsync(RedisKeys.Heartbeat(connection), TimeSpan.FromSeconds(5));
        await Eventually.True(async () => await Db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(connection)) > TimeSpan.FromSeconds(10), "heartbeat refreshed while paused");
        Assert.Equal(ConsumingState.Paused, (await queue.GetStats()).Consuming!.State);

        await consumer.Configure(ConsumerBehaviour.AutoAck);
        await queue.Resume();

        await EventuallyCounts(name, 0, 0, 1);
        var consumed = await Payloads(consumer);
        Assert.Equal(Enumerable.Range(0, 18).Select(i => $"p{i}"), consumed);
        Assert.Equal(connection, await queue.GetConnectionName());
        var after = await queue.GetConsumingStatus();
        Assert.Equal(ConsumingState.Consuming, after.State);
        Assert.False(after.Paused);
        // Everything published is in exactly one place: ready + unacked + rejected + consumed (acked).
        var (ready, unacked, rejected) = await Counts(name);
        Assert.Equal(18, ready + unacked + rejected + (consumed.Count - 1));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task APausedQueue_StaysPaused_AcrossReactivation_AndWhenItsConnectionAndConfigurationAreLost()
    {
        var name = RmqClusterFixture.UniqueName("pause-re");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("re", consumer);
        await queue.Pause();
        Assert.Equal("1", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "paused"));
        var before = (await queue.GetConnectionName())!;

        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.True(async () => !await Db.SetContainsAsync(RedisKeys.Connections, before), "old connection closed");
        await Db.ListLeftPushAsync(Keys.Ready(name), Enumerable.Range(0, 5).Select(i => (RedisValue)$"r{i}").ToArray());

        // A new activation (as the cleaner's ping makes one) opens a connection, paused.
        var after = await queue.GetConnectionName();
        Assert.NotNull(after);
        Assert.NotEqual(before, after);
        await Eventually.Equal(ConsumingState.Paused, async () => (await queue.GetConsumingStatus()).State, "state after reactivation");
        Assert.True(await Db.SetContainsAsync(RedisKeys.Connections, after!));
        await Task.Delay(GiveItAChance);
        Assert.Equal((5L, 0L, 0L), await Counts(name));
        Assert.Empty(await consumer.GetDeliveries());

        // Redis loses the registration and the configuration (a cleaner took it for dead, a restore from an
        // old backup): the engine opens a new connection and writes back what it holds — paused included.
        await Db.SetRemoveAsync(RedisKeys.Connections, after!);
        await Db.KeyDeleteAsync(Keys.ConsumingConfig(name));
        await Eventually.True(async () => await queue.GetConnectionName() is { } c && c != after, "new connection after the loss");
        await Eventually.Equal("1", async () => (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "paused"), "pause written back");
        Assert.True((await queue.GetConsumingStatus()).Paused);
        await Task.Delay(GiveItAChance);
        Assert.Equal(5L, await Ready(name));
        Assert.Empty(await consumer.GetDeliveries());

        await queue.Resume();
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "paused"));
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"r{i}"), await Payloads(consumer));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task PauseAndResume_AreIdempotent_StartConsumingKeepsAPause_StopConsumingEndsIt()
    {
        var name = RmqClusterFixture.UniqueName("pause-id");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("id", consumer);
        await queue.Pause();
        await queue.Pause();
        // Start-up code that runs on every boot does not undo an operator's pause.
        await queue.StartConsuming(5, Poll);
        Assert.Equal(ConsumingState.Paused, (await queue.GetConsumingStatus()).State);
        await queue.Publish("while paused");
        await Task.Delay(GiveItAChance);
        Assert.Equal(1, await Ready(name));

        await queue.Resume();
        await queue.Resume();
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(ConsumingState.Consuming, (await queue.GetConsumingStatus()).State);

        // StopConsuming forgets a pause with the rest of the configuration; a new start is not paused.
        await queue.Pause();
        await queue.StopConsuming();
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "paused"));
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("id", consumer);
        await queue.Publish("after restart");
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(["while paused", "after restart"], await Payloads(consumer));
        Assert.False((await queue.GetConsumingStatus()).Paused);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task PauseAndResume_OnAQueueThatIsNotConsuming_ThrowSayingToStartConsuming_AndRedisIsUntouched()
    {
        var name = RmqClusterFixture.UniqueName("pause-bad");
        var queue = Queue(name);
        await queue.Publish("x");
        async Task<string> Snapshot() =>
            $"{Convert.ToHexString(await Db.KeyDumpAsync(Keys.Ready(name)) ?? [])}|{await Db.KeyExistsAsync(Keys.ConsumingConfig(name))}|{await Db.SetContainsAsync(RedisKeys.ConsumingQueues, name)}";

        foreach (var stage in new[] { "never started", "stopped" })
        {
            if (stage == "stopped")
            {
                await queue.StartConsuming(3, Poll);
                await queue.StopConsuming();
            }
            var before = await Snapshot();
            var pause = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.Pause());
            Assert.Contains($"Queue '{name}' is not consuming; call StartConsuming before Pause", pause.Message);
            var resume = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.Resume());
            Assert.Contains("call StartConsuming before Resume", resume.Message);
            Assert.Equal(before, await Snapshot());
            Assert.Equal(ConsumingState.NotConsuming, (await queue.GetConsumingStatus()).State);
        }
        Assert.Equal(1, await Ready(name));
    }
}

[Collection(ClassicCollection.Name)]
public sealed class PauseTests_Classic(ClassicClusterFixture fixture) : PauseTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class PauseTests_ClusterDialect(ClusterDialectClusterFixture fixture) : PauseTests(fixture);
