namespace Rmq.Tests;

/// <summary>
/// Changing a consuming queue while it runs: UpdateConsuming (and StartConsuming with other settings),
/// RemoveConsumer, and Declare — the whole state from a declaration, with versions for rolling deploys.
/// Deliveries in flight across each change are consumed exactly once; Redis holds the new settings.
/// </summary>
public abstract class DeclarationTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    private async Task<string?> Config(string queue, string field) => await Db.HashGetAsync(Keys.ConsumingConfig(queue), field);

    private async Task<List<string>> RegisteredGrains(string queue) =>
        (await Db.HashValuesAsync(Keys.ConsumerGrains(queue))).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();

    /// <summary>Finishes every delivery a holding consumer gets, until it has had <paramref name="count"/>.</summary>
    private static async Task AckAllAsync(ITestConsumerGrain consumer, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await consumer.GetDeliveries()).Count < count || await consumer.HeldCount() > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the consumer got {(await consumer.GetDeliveries()).Count} of {count}");
            if (await consumer.HeldCount() > 0) await consumer.Finish(DeliveryOutcome.Ack);
            else await Task.Delay(10);
        }
    }

    [Fact]
    public async Task UpdateConsuming_WaitsForTheCallInFlight_ThenGoesOnWithTheNewSettings_EachDeliveryOnce()
    {
        var name = RmqClusterFixture.UniqueName("upd");
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("upd", consumer);
        await queue.PublishBatch(Enumerable.Range(0, 6).Select(i => $"m{i}").ToList());
        await Eventually.Equal(1, () => consumer.HeldCount(), "held");

        var update = queue.UpdateConsuming(50, TimeSpan.FromMilliseconds(20));
        await Task.Delay(300);
        Assert.False(update.IsCompleted, "the engine waits for the consumer's call in flight");
        await consumer.Finish(DeliveryOutcome.Ack);
        await update;

        Assert.Equal("50", await Config(name, "prefetch"));
        Assert.Equal("20", await Config(name, "poll-ms"));
        await AckAllAsync(consumer, 6);
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"m{i}"), (await consumer.GetDeliveries()).Select(d => d.Payload).Order(StringComparer.Ordinal));
        Assert.Equal(1, (await queue.GetConsumingStatus()).Consumers);

        // StartConsuming with other settings changes them too (start-up code of a new release), the same does nothing.
        await queue.StartConsuming(7, Poll);
        Assert.Equal("7", await Config(name, "prefetch"));
        await queue.StartConsuming(7, Poll);
        await queue.Publish("after");
        await AckAllAsync(consumer, 7);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.UpdateConsuming(0, Poll));
        await queue.StopConsuming();
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.UpdateConsuming(5, Poll));
    }

    [Fact]
    public async Task RemoveConsumer_LetsItFinish_TheOthersGoOn_AndNoActivationRestoresIt()
    {
        var name = RmqClusterFixture.UniqueName("rm");
        var queue = Queue(name);
        var leaving = await ConsumerAsync(ConsumerBehaviour.Hold);
        var staying = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, Poll);
        var leavingName = await queue.AddConsumer("leaving", leaving);
        await queue.Publish("first");
        await Eventually.Equal(1, () => leaving.HeldCount(), "held");
        await queue.AddConsumer("staying", staying);
        Assert.Equal(2, (await RegisteredGrains(name)).Count);

        var removal = queue.RemoveConsumer(leavingName);
        await Task.Delay(200);
        Assert.False(removal.IsCompleted);
        await leaving.Finish(DeliveryOutcome.Ack);
        Assert.True(await removal);
        Assert.False(await queue.RemoveConsumer(leavingName));
        Assert.Equal([staying.GetGrainId().ToString()], (await RegisteredGrains(name)).Select(r => r[(r.IndexOf('|') + 1)..]));

        await queue.PublishBatch(Enumerable.Range(0, 20).Select(i => $"m{i}").ToList());
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(["first"], (await leaving.GetDeliveries()).Select(d => d.Payload));
        Assert.Equal(20, (await staying.GetDeliveries()).Count);
        Assert.Equal(1, (await queue.GetConsumingStatus()).Consumers);
        await queue.StopConsuming();
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.RemoveConsumer("x"));
    }

    private QueueDeclaration Declaration(int prefetch, string? push, long version, params ITestConsumerGrain[] consumers) => new()
    {
        PrefetchLimit = prefetch,
        PollInterval = Poll,
        PushQueue = push,
        Consumers = consumers.Select(c => new DeclaredConsumer("decl", c.GetGrainId(), 0, TimeSpan.Zero)).ToList(),
        Version = version,
    };

    [Fact]
    public async Task Declare_StartsThenChangesSettingsAndConsumers_AndALowerVersionDoesNotUndoIt()
    {
        var name = RmqClusterFixture.UniqueName("decl");
        var push = RmqClusterFixture.UniqueName("decl-push");
        var queue = Queue(name);
        var a = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        var b = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        var c = await ConsumerAsync(ConsumerBehaviour.Hold);

        var v1 = Declaration(10, null, 1, a, b);
        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(v1));
        Assert.Equal(DeclarationOutcome.Unchanged, await queue.Declare(v1));
        Assert.Equal(2, (await queue.GetConsumingStatus()).Consumers);
        var namesV1 = (await Db.HashKeysAsync(Keys.ConsumerGrains(name))).Select(k => (string)k!).Order(StringComparer.Ordinal).ToList();
        await queue.PublishBatch(Enumerable.Range(0, 10).Select(i => $"v1-{i}").ToList());
        await EventuallyCounts(name, 0, 0, 0);

        // Release 2: prefetch 40, a push queue, consumer a stays (same registration), b goes, c comes; c holds one delivery.
        await queue.Publish("in flight");
        var v2 = Declaration(40, push, 2, a, c);
        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(v2));
        Assert.Equal("40", await Config(name, "prefetch"));
        Assert.Equal(push, await Config(name, "push"));
        var namesV2 = (await Db.HashKeysAsync(Keys.ConsumerGrains(name))).Select(k => (string)k!).ToList();
        Assert.Equal(2, namesV2.Count);
        Assert.Single(namesV2, n => namesV1.Contains(n));
        Assert.Equal(
            new[] { a.GetGrainId().ToString(), c.GetGrainId().ToString() }.Order(StringComparer.Ordinal),
            (await RegisteredGrains(name)).Select(r => r[(r.IndexOf('|') + 1)..]).Order(StringComparer.Ordinal));

        // An older silo starting during the rolling deploy: its declaration is not applied.
        Assert.Equal(DeclarationOutcome.Superseded, await queue.Declare(v1));
        Assert.Equal("40", await Config(name, "prefetch"));
        Assert.Equal(push, await Config(name, "push"));
        Assert.Equal(2, (await queue.GetConsumingStatus()).Consumers);

        await queue.PublishBatch(Enumerable.Range(0, 30).Select(i => $"v2-{i}").ToList());
        await Eventually.True(async () =>
        {
            while (await c.HeldCount() > 0) await c.Finish(DeliveryOutcome.Push);
            var (ready, unacked, rejected) = await Counts(name);
            return ready + unacked + rejected == 0;
        }, "the queue drained");
        var all = (await a.GetDeliveries()).Concat(await b.GetDeliveries()).Concat(await c.GetDeliveries()).Select(d => d.Payload).ToList();
        Assert.Equal(41, all.Count);
        Assert.Equal(41, all.Distinct().Count());
        Assert.Equal((await c.GetDeliveries()).Count, await Db.ListLengthAsync(Keys.Ready(push)));

        // A re-activation (a silo restart) restores the declared consumers, not the removed one.
        await queue.StopConsuming();
        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(v2 with { Version = 3 }));
        Assert.Equal(2, (await queue.GetConsumingStatus()).Consumers);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task Declare_AppliesFlowLimitsAndADeadLetterHandler_AndADeclarationWithoutThemRemovesThem()
    {
        var name = RmqClusterFixture.UniqueName("decl-fl");
        var queue = Queue(name);
        var a = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        var handler = Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(name);
        var limits = new FlowLimits { Rate = RateLimit.Parse("50/s"), MaxConcurrency = 4 };
        var plain = Declaration(10, null, 1, a);
        var limited = plain with { Limits = limits, DeadLetterHandler = handler.GetGrainId(), Version = 2 };
        Assert.NotEqual(plain.Fingerprint(), limited.Fingerprint());
        Assert.Equal(plain.Fingerprint(), (plain with { Limits = new FlowLimits() }).Fingerprint()); // no limit set is none

        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(limited));
        Assert.Equal(DeclarationOutcome.Unchanged, await queue.Declare(limited));
        Assert.Equal("v1;50;1000;4", await Config(name, "limits"));
        Assert.Equal(handler.GetGrainId().ToString(), await Config(name, "dead-letter-handler"));
        Assert.Equal(limits, (await queue.GetConsumingStatus()).Limits);

        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(plain with { Version = 3 }));
        Assert.Null(await Config(name, "limits"));
        Assert.Null(await Config(name, "dead-letter-handler"));
        Assert.Null((await queue.GetConsumingStatus()).Limits);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.Declare(plain with { Version = 4, Limits = new FlowLimits { MaxConcurrency = 0 } }));
        Assert.Null(await Config(name, "limits"));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task Declare_RefusesBadDeclarations_AndChangesNothing()
    {
        var name = RmqClusterFixture.UniqueName("decl-bad");
        var queue = Queue(name);
        var a = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.Declare(Declaration(0, null, 1, a)));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.Declare(Declaration(5, name, 1, a)));
        var twice = Declaration(5, null, 1, a);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => queue.Declare(twice with { Consumers = [.. twice.Consumers, .. twice.Consumers] }));
        Assert.False(await Db.KeyExistsAsync(Keys.ConsumingConfig(name)));
        Assert.False(await Db.KeyExistsAsync(Keys.ConsumerGrains(name)));
    }
}

[Collection(ClassicCollection.Name)]
public sealed class DeclarationTests_Classic(ClassicClusterFixture fixture) : DeclarationTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class DeclarationTests_Cluster(ClusterDialectClusterFixture fixture) : DeclarationTests(fixture);
