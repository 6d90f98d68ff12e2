using System.Diagnostics;
using Orleans.Core.Internal;

namespace Rmq.Tests;

/// <summary>
/// Flow limits against real Redis, both dialects (the cluster one on a real Redis Cluster): a concurrency limit holds the
/// calls beyond it and a removed one lets them out at once; a rate limit spreads a backlog over its windows and the queue
/// is not reported stalled meanwhile; the limits are persisted, kept by later activations and StopConsuming, and written
/// back when Redis loses them. Every count is read from Redis. The cluster-wide rate over 3 silos is in <see cref="RateLimitClusterTests"/>.
/// </summary>
public abstract class FlowControlTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan GiveItAChance = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task AConcurrencyLimit_HoldsTheCallsBeyondIt_AFinishedCallLetsOneMoreOut_AndRemovingItLetsTheRestOutAtOnce()
    {
        var name = RmqClusterFixture.UniqueName("flow-c");
        var queue = Queue(name);
        var consumers = new List<ITestConsumerGrain>();
        for (var i = 0; i < 6; i++) consumers.Add(await ConsumerAsync(ConsumerBehaviour.Hold));
        async Task<int> Held() => (await Task.WhenAll(consumers.Select(c => c.HeldCount()))).Sum();
        var limits = new FlowLimits { MaxConcurrency = 2 };
        await queue.SetFlowLimits(limits); // before consuming: the engine starts with it
        await queue.PublishBatch(Enumerable.Range(0, 10).Select(i => $"c{i}").ToList());
        await queue.StartConsuming(20, Poll);
        foreach (var consumer in consumers) await queue.AddConsumer("c", consumer);

        await Eventually.Equal(2, Held, "deliveries inside consumer calls");
        await Task.Delay(GiveItAChance);
        Assert.Equal(2, await Held());
        var status = await queue.GetConsumingStatus();
        Assert.Equal((2, 8, limits, false, false), (status.InFlight, status.Prefetched, status.Limits, status.RateLimited, status.Stalled));
        Assert.Equal((0L, 10L, 0L), await Counts(name));

        foreach (var consumer in consumers)
            if (await consumer.HeldCount() > 0)
            {
                await consumer.Finish(DeliveryOutcome.Ack);
                break;
            }
        await EventuallyCounts(name, 0, 9, 0);
        await Eventually.Equal(2, Held, "one more let out after a call ended");
        await Task.Delay(GiveItAChance);
        Assert.Equal(2, await Held());

        await queue.SetFlowLimits(null);
        await Eventually.Equal(6, Held, "every consumer busy once the limit is gone");
        Assert.Null((await queue.GetConsumingStatus()).Limits);
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "limits"));
        while ((await Counts(name)).Unacked > 0)
        {
            foreach (var consumer in consumers)
                if (await consumer.HeldCount() > 0) await consumer.Finish(DeliveryOutcome.Ack);
            await Task.Delay(20);
        }
        Assert.Equal((0L, 0L, 0L), await Counts(name));
        Assert.Equal(10, (await Task.WhenAll(consumers.Select(Payloads))).SelectMany(p => p).Distinct().Count());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ARateLimit_SpreadsABacklogOverItsWindows_AndTheQueueWaitingForItIsNotStalled()
    {
        var name = RmqClusterFixture.UniqueName("flow-r");
        var queue = Queue(name);
        await queue.PublishBatch(Enumerable.Range(0, 12).Select(i => $"r{i}").ToList());
        var consumers = new List<ITestConsumerGrain>();
        for (var i = 0; i < 3; i++) consumers.Add(await ConsumerAsync(ConsumerBehaviour.AutoAck));
        await queue.SetFlowLimits(new FlowLimits { Rate = RateLimit.Parse("5/3s") });
        var clock = Stopwatch.StartNew();
        await queue.StartConsuming(100, Poll);
        foreach (var consumer in consumers) await queue.AddConsumer("r", consumer);

        // 12 deliveries at 5 per 3 s: handed out at 0 s, 3 s and 6 s — never all at once. Until 3 s, 5 wait in the
        // prefetch (one window's worth) and 2 in ready.
        ConsumingStatus? waiting = null;
        await Eventually.True(async () => (waiting = await queue.GetConsumingStatus()) is { RateLimited: true, Prefetched: 5 }, "a window's worth waiting for the rate limit", seconds: 5);
        Assert.False(waiting!.Stalled);
        Assert.Equal(2L, (await Counts(name)).Ready);
        await EventuallyCounts(name, 0, 0, 0, seconds: 20);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(6), $"12 deliveries at 5 per 3 s took only {clock.Elapsed}");
        Assert.Equal(12, (await Task.WhenAll(consumers.Select(Payloads))).SelectMany(p => p).Distinct().Count());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task TheLimits_ArePersisted_KeptByALaterActivationAndByStopConsuming_AndWrittenBackWhenRedisLosesThem()
    {
        var name = RmqClusterFixture.UniqueName("flow-p");
        var queue = Queue(name);
        var limits = new FlowLimits { Rate = new RateLimit(1000, TimeSpan.FromSeconds(1)), MaxConcurrency = 3 };
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("p", await ConsumerAsync(ConsumerBehaviour.AutoAck));
        await queue.SetFlowLimits(limits);
        Assert.Equal("v1;1000;1000;3", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "limits"));
        Assert.Equal(limits, (await queue.GetConsumingStatus()).Limits);
        var before = (await queue.GetConnectionName())!;

        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.True(async () => !await Db.SetContainsAsync(RedisKeys.Connections, before), "old connection closed");
        Assert.Equal(limits, (await queue.GetConsumingStatus()).Limits); // a new activation, from Redis
        var after = (await queue.GetConnectionName())!;

        // Redis loses the registration and the configuration: the engine writes back what it holds.
        await Db.SetRemoveAsync(RedisKeys.Connections, after);
        await Db.KeyDeleteAsync(Keys.ConsumingConfig(name));
        await Eventually.Equal("v1;1000;1000;3", async () => (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "limits"), "limits written back");

        await queue.StopConsuming();
        Assert.Equal(limits, await queue.GetFlowLimits());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SetFlowLimits(new FlowLimits { MaxConcurrency = -1 }));
        Assert.Equal(limits, await queue.GetFlowLimits()); // refused: nothing changed
        await queue.SetFlowLimits(new FlowLimits()); // none set: removed
        Assert.Null(await queue.GetFlowLimits());
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class FlowControlTests_Classic(ClassicClusterFixture fixture) : FlowControlTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class FlowControlTests_ClusterDialect(ClusterDialectClusterFixture fixture) : FlowControlTests(fixture);
