using Orleans.Core.Internal;

namespace Rmq.Tests;

/// <summary>
/// The on-dead-letter hook against real Redis, both dialects (the cluster one on a real Redis Cluster): each delivery Rmq
/// dead-letters calls the queue's handler once, with why, after it is in rejected; a consumer's own Reject does not; a
/// failing handler is called again until it returns; a call cut short by the queue's deactivation is made again by the
/// next activation (at least once); removing the handler drops what it was not called for. Lists are read from Redis.
/// </summary>
public abstract class DeadLetterHandlerTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan GiveItAChance = TimeSpan.FromMilliseconds(300);
    private static readonly RetryPolicy TwoAttempts = new(2, TimeSpan.FromMilliseconds(10), 2, TimeSpan.FromMilliseconds(10), 0);

    private async Task<IQueueGrain> ThrowingQueueAsync(string name)
    {
        var queue = Queue(name);
        await queue.SetDeadLetterHandler(Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(name));
        await queue.SetRetryPolicy(TwoAttempts);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("t", await ConsumerAsync(ConsumerBehaviour.Throwing));
        return queue;
    }

    private Task<long> Notices(string name) => Db.ListLengthAsync(Keys.DeadLetterNotices(name));

    [Fact]
    public async Task EachDeadLetter_CallsTheHandlerOnce_WithItsReasonAttemptsErrorAndJobId_AndAConsumersOwnRejectDoesNot()
    {
        var name = RmqClusterFixture.UniqueName("dlh-once");
        var queue = await ThrowingQueueAsync(name);
        Assert.Equal(Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(name).GetGrainId().ToString(),
            (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "dead-letter-handler"));
        Assert.Equal(Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(name).GetGrainId(), (await queue.GetDeadLetterHandler())!.GetGrainId());
        foreach (var i in Enumerable.Range(0, 3)) await queue.Publish(RmqMessage.Text($"order-{i}").WithJobId($"job-{i}"));

        await Eventually.Equal(3, () => Task.FromResult(DeadLetterLog.Of(name).Count), "handler calls");
        await EventuallyCounts(name, 0, 0, 3);
        await Eventually.Equal(0L, () => Notices(name), "notices left");
        await Task.Delay(GiveItAChance);
        var calls = DeadLetterLog.Of(name).OrderBy(d => d.JobId).ToList();
        Assert.Equal(["job-0", "job-1", "job-2"], calls.Select(d => d.JobId));
        Assert.Equal(["order-0", "order-1", "order-2"], calls.Select(d => d.Payload));
        Assert.All(calls, d =>
        {
            Assert.Equal((name, DeadLetterHeaders.RetriesExhausted, 2), (d.Queue, d.Reason, d.Attempts));
            Assert.Contains($"test consumer fails on {d.Payload}", d.LastError ?? "");
            Assert.Equal([DeadLetterHeaders.RetriesExhausted], d.Headers[DeadLetterHeaders.Reason]);
        });

        // A consumer that rejects by itself decided: no call.
        var rejecting = Queue(RmqClusterFixture.UniqueName("dlh-rej"));
        var rejectingName = rejecting.GetPrimaryKeyString();
        await rejecting.SetDeadLetterHandler(Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(rejectingName));
        await rejecting.StartConsuming(10, Poll);
        await rejecting.AddConsumer("r", await ConsumerAsync(new ConsumerBehaviour(DeliveryOutcome.Reject)));
        await rejecting.Publish("no");
        await EventuallyCounts(rejectingName, 0, 0, 1);
        await Task.Delay(GiveItAChance);
        Assert.Empty(DeadLetterLog.Of(rejectingName));
        Assert.Equal(0L, await Notices(rejectingName));
        await rejecting.StopConsuming();
        await queue.StopConsuming();
    }

    [Fact]
    public async Task APermanentFailure_CallsTheHandlerWithItsReason_ARejectAfterRetriesDoesNot()
    {
        var name = RmqClusterFixture.UniqueName("dlh-why");
        var queue = Queue(name);
        await queue.SetDeadLetterHandler(Fixture.Grains.GetGrain<ITestDeadLetterHandlerGrain>(name));
        await queue.SetRetryPolicy(TwoAttempts with { MaxAttempts = 3 });
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("why", Fixture.Grains.GetGrain<IRetryConsumerGrain>(name));
        await queue.Publish(RmqMessage.Text("permanent-1").WithJobId("p"));
        await queue.Publish(RmqMessage.Text("reject-at-2").WithJobId("r"));
        await queue.Publish(RmqMessage.Text("retry-3").WithJobId("x"));

        await EventuallyCounts(name, 0, 0, 3);
        await Eventually.Equal(2, () => Task.FromResult(DeadLetterLog.Of(name).Count), "handler calls");
        await Eventually.Equal(0L, () => Notices(name), "notices left");
        await Task.Delay(GiveItAChance);
        var calls = DeadLetterLog.Of(name).OrderBy(d => d.JobId).Select(d => (d.JobId, d.Reason, d.Attempts)).ToList();
        Assert.Equal([("p", DeadLetterHeaders.PermanentFailure, 1), ("x", DeadLetterHeaders.RetriesExhausted, 3)], calls);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AFailingHandler_IsCalledAgainWithTheSameDeadLetter_UntilItReturns_AndTheNoticeStaysUntilThen()
    {
        var name = RmqClusterFixture.UniqueName("dlh-fail");
        DeadLetterLog.FailNext(name, 2);
        var queue = await ThrowingQueueAsync(name);
        await queue.Publish(RmqMessage.Text("x").WithJobId("j"));

        await Eventually.Equal(1, () => Task.FromResult(DeadLetterLog.Of(name).Count), "first call");
        Assert.Equal(1L, await Notices(name)); // it threw: the notice stays
        // Backoff 1 s, then 2 s.
        await Eventually.Equal(3, () => Task.FromResult(DeadLetterLog.Of(name).Count), "calls until one returns", seconds: 15);
        await Eventually.Equal(0L, () => Notices(name), "notice removed once the call returned");
        await Task.Delay(GiveItAChance);
        Assert.Equal(["j", "j", "j"], DeadLetterLog.Of(name).Select(d => d.JobId));
        Assert.Equal((0L, 0L, 1L), await Counts(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ACallCutShortByTheQueuesDeactivation_IsMadeAgainByTheNextActivation_AndRemovingTheHandlerDropsWhatItWasNotCalledFor()
    {
        var name = RmqClusterFixture.UniqueName("dlh-again");
        DeadLetterLog.Close(name);
        var queue = await ThrowingQueueAsync(name);
        await queue.Publish(RmqMessage.Text("x").WithJobId("again"));
        await Eventually.Equal(1, () => Task.FromResult(DeadLetterLog.Of(name).Count), "first call, held");
        Assert.Equal(1L, await Notices(name));

        // The queue's activation ends while the handler holds the call: its notice stays in Redis.
        var before = (await queue.GetConnectionName())!;
        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.True(async () => !await Db.SetContainsAsync(RedisKeys.Connections, before), "old activation gone");
        Assert.Equal(1L, await Notices(name));
        DeadLetterLog.Open(name);
        Assert.NotNull(await queue.GetConnectionName()); // a new activation, which calls for the notice again
        await Eventually.Equal(2, () => Task.FromResult(DeadLetterLog.Of(name).Count), "the call made again");
        await Eventually.Equal(0L, () => Notices(name), "notice removed after the second call");

        // Removed: the notices not yet handled go with it; the dead letters stay in rejected.
        DeadLetterLog.Close(name);
        await Queue(name).Publish(RmqMessage.Text("y").WithJobId("dropped"));
        await Eventually.Equal(3, () => Task.FromResult(DeadLetterLog.Of(name).Count), "third call, held");
        await Db.ListLeftPushAsync(Keys.DeadLetterNotices(name), "a notice no one will be called for");
        await queue.SetDeadLetterHandler(null);
        DeadLetterLog.Open(name);
        Assert.False(await Db.KeyExistsAsync(Keys.DeadLetterNotices(name)));
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "dead-letter-handler"));
        Assert.Null(await queue.GetDeadLetterHandler());
        await Task.Delay(GiveItAChance);
        Assert.Equal(3, DeadLetterLog.Of(name).Count);
        Assert.Equal((0L, 0L, 2L), await Counts(name));
        await queue.StopConsuming();
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class DeadLetterHandlerTests_Classic(ClassicClusterFixture fixture) : DeadLetterHandlerTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class DeadLetterHandlerTests_ClusterDialect(ClusterDialectClusterFixture fixture) : DeadLetterHandlerTests(fixture);
