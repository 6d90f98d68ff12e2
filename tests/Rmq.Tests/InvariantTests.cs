using Orleans.Core.Internal;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>Nothing lost, nothing duplicated: consumed + ready + unacked + rejected = published.</summary>
[Trait("Garnet", "core")]
[Collection(ClassicCollection.Name)]
public sealed class InvariantTests(ClassicClusterFixture fixture, ITestOutputHelper output) : QueueTestBase(fixture)
{
    [Fact]
    public async Task StopStartUnderLoad_EveryDeliveryIsInExactlyOnePlace()
    {
        const int total = 3000;
        const int prefetch = 50;
        var name = RmqClusterFixture.UniqueName("invariant");
        var queue = Queue(name);
        var acking = new List<ITestConsumerGrain>();
        var rejecting = await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Reject));
        var maxUnacked = 0L;
        var published = 0;

        for (var round = 0; round < 5; round++)
        {
            await queue.StartConsuming(prefetch, TimeSpan.FromMilliseconds(5));
            for (var i = 0; i < 4; i++)
            {
                var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
                acking.Add(consumer);
                await queue.AddConsumer("ack", consumer);
            }
            await queue.AddConsumer("reject", rejecting);
            // Publish while consuming, and sample LLEN(unacked): it never exceeds the prefetch limit.
            for (var chunk = 0; chunk < 6; chunk++)
            {
                var batch = Enumerable.Range(published, total / 30).Select(i => $"p{i}").ToList();
                published += batch.Count;
                await queue.PublishBatch(batch);
                maxUnacked = Math.Max(maxUnacked, await Unacked(name));
            }
            await queue.StopConsuming();
            Assert.Equal(0, await Unacked(name));
        }
        Assert.Equal(total, published);
        Assert.InRange(maxUnacked, 0, prefetch);

        var acked = new List<string>();
        foreach (var consumer in acking) acked.AddRange(await Payloads(consumer));
        var rejected = await Payloads(rejecting);
        var ready = (await Db.ListRangeAsync(Keys.Ready(name))).Select(v => (string)v!).ToList();
        var rejectedList = (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (string)v!).ToList();
        output.WriteLine($"acked {acked.Count}, rejected {rejectedList.Count}, ready {ready.Count}, max unacked seen {maxUnacked}");

        Assert.Equal(rejected.Order(), rejectedList.Order());
        var everywhere = acked.Concat(rejectedList).Concat(ready).ToList();
        Assert.Equal(total, everywhere.Count);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"p{i}").Order(), everywhere.Order());
    }
}

/// <summary>The consuming configuration lives in Redis: a new activation picks it up by itself.</summary>
[Collection(ClassicCollection.Name)]
public sealed class ResumeTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    [Fact]
    public async Task AReactivatedQueue_ResumesConsumingWithItsConsumersAndPushQueue()
    {
        var name = RmqClusterFixture.UniqueName("resume");
        var pushTarget = RmqClusterFixture.UniqueName("resume-push");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        var batchConsumer = await BatchConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Push));
        await queue.SetPushQueue(pushTarget);
        await queue.StartConsuming(7, TimeSpan.FromMilliseconds(10));
        var consumerName = await queue.AddConsumer("resume-cons", consumer);
        await queue.AddBatchConsumer("resume-batch", batchConsumer, 3, TimeSpan.FromMilliseconds(20));
        Assert.Equal(consumerName, await queue.AddConsumer("again", consumer)); // same grain: same registration
        var before = (await queue.GetConnectionName())!;

        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        // A clean deactivation closes its connection; the configuration stays.
        await Eventually.True(async () => !await Db.SetContainsAsync("rmq::connections", before), "old connection closed");

        // Published by someone else (plain LPUSH): only a consuming activation would pick it up.
        await Db.ListLeftPushAsync(Keys.Ready(name), Enumerable.Range(0, 30).Select(i => (RedisValue)$"r{i}").ToArray());
        var after = await queue.GetConnectionName(); // activates the grain
        Assert.NotNull(after);
        Assert.NotEqual(before, after);
        await Eventually.Equal(0L, () => Ready(name), "ready");
        await EventuallyCounts(name, 0, 0, 0);
        var byConsumer = (await consumer.GetDeliveries()).Count;
        var byBatch = (await batchConsumer.GetBatches()).Sum(b => b.Count);
        Assert.Equal(30, byConsumer + byBatch);
        Assert.Equal(byBatch, await Db.ListLengthAsync(Keys.Ready(pushTarget)));
        Assert.Equal(2, await Db.SetLengthAsync(Keys.Consumers(after!, name)));

        // StopConsuming forgets the configuration: the next activation does not consume.
        await queue.StopConsuming();
        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Db.ListLeftPushAsync(Keys.Ready(name), "stays");
        Assert.Null(await queue.GetConnectionName());
        await Task.Delay(100);
        Assert.Equal(1, await Ready(name));
    }
}
