using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Rmq.Tests.Consumers;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// Long-running jobs (<see cref="ILongRunningConsumerGrain"/>) against real Redis in both key dialects, with Orleans'
/// response timeout and the consumer timeout at 3 s, a 2 s lease and a 6 s maximum run time
/// (<see cref="LongJobClusterFixture"/>): a job longer than a grain call completes once; pause, stop and an operator
/// fire its token and its delivery ends where the contract says; a job that ignores its token is bounded by the
/// maximum run time and its late outcome is dropped; progress shows while it runs. Every count is read from Redis.
/// </summary>
public abstract class LongJobTests(LongJobClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The token fires at the renewal after the request (every 500 ms): this bound leaves room for a
    /// loaded machine; it is not a speed goal.
    /// </summary>
    private static readonly TimeSpan CancelBound = TimeSpan.FromSeconds(5);

    private IDatabase Db => fixture.Db;

    /// <summary>The token fired within <see cref="CancelBound"/> of the request; how soon is written to the test output (the figure the note reports).</summary>
    private void FiredSoon(JobRun run, DateTime askedAt, string request)
    {
        var after = run.CancelledAt - askedAt;
        output.WriteLine($"the token fired {after?.TotalMilliseconds:F0} ms after {request}");
        Assert.True(after < CancelBound, $"the token fired {after?.TotalMilliseconds} ms after {request}");
    }
    private RedisKeys Keys => fixture.Keys;

    private async Task<(IQueueGrain Queue, string Name)> ConsumingAsync(string prefix, params string[] payloads)
    {
        var name = RmqClusterFixture.UniqueName(prefix);
        var queue = fixture.Grains.GetGrain<IQueueGrain>(name);
        foreach (var payload in payloads) await queue.Publish(payload);
        await queue.StartConsuming(5, Poll);
        await queue.AddLongRunningConsumer("long", fixture.Grains.GetGrain<ILongJobConsumerGrain>($"{name}-worker"));
        return (queue, name);
    }

    private async Task<(long Ready, long Unacked, long Rejected)> Counts(string name) =>
        (await Db.ListLengthAsync(Keys.Ready(name)), await fixture.Multiplexer.UnackedTotalAsync(Keys, name), await Db.ListLengthAsync(Keys.Rejected(name)));

    private Task EventuallyCounts(string name, long ready, long unacked, long rejected, double seconds = 15) =>
        Eventually.Equal((ready, unacked, rejected), () => Counts(name), $"(ready, unacked, rejected) of {name}", seconds);

    private static async Task<JobRun> Running(string name, int runs = 1)
    {
        await Eventually.True(() => Task.FromResult(JobLog.Of(name).Count >= runs), $"{runs} runs started", 15);
        return JobLog.Of(name)[runs - 1];
    }

    private async Task<IReadOnlyDictionary<string, string[]>> RejectedHeaders(string name)
    {
        var element = (byte[])(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0))!;
        Assert.True(HeaderCodec.TryDecode(element, out var headers, out _, out var error), error);
        return headers;
    }

    [Fact]
    public async Task AJobLongerThanTheResponseTimeoutAndTheLease_CompletesExactlyOnce_ItsProgressShowingWhileItRuns()
    {
        var (queue, name) = await ConsumingAsync("long-once", "run-5000:report");
        var run = await Running(name);

        // Progress, as the consumer reported it, through the grain's API and the consuming status.
        await Eventually.True(async () => (await queue.GetJobsInFlight()).SingleOrDefault()?.Progress is { Percent: > 0, Text: not null },
            "progress reported", 10);
        var job = (await queue.GetJobsInFlight()).Single();
        Assert.StartsWith("long-", job.Consumer);
        Assert.StartsWith("step ", job.Progress!.Text);
        Assert.Equal(JobCancelReason.None, job.CancelRequested);
        Assert.NotNull((await queue.GetConsumingStatus()).Jobs);
        Assert.Equal((0L, 1L, 0L), await Counts(name));

        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(JobEnd.Completed, run.End);
        Assert.True(run.EndedAt - run.Started >= TimeSpan.FromSeconds(5));
        // Past the response timeout and more than two leases: still one run, and nothing stale.
        await Task.Delay(LongJobClusterFixture.Lease);
        Assert.Single(JobLog.Of(name));
        Assert.Empty(await queue.GetJobsInFlight());
        var status = await queue.GetConsumingStatus();
        Assert.Null(status.Jobs);
        Assert.Equal(0, status.StaleJobOutcomes);
        Assert.False(status.Stalled);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AJobWhoseRenewalsNeverArrive_LosesItsLease_IsRunAgainAsTheNextAttempt_ThenDeadLettered_AndTheLateAcksAreDropped()
    {
        // Both silos alive, every renewal lost on the way (DroppedRenewals): only the lease tells the queue. A retry
        // policy of two attempts; each run outlives its lease by far (5.5 s against 2 s, checked every second).
        var name = RmqClusterFixture.UniqueName(DroppedRenewals.QueuePrefix);
        var queue = fixture.Grains.GetGrain<IQueueGrain>(name);
        await queue.SetRetryPolicy(new RetryPolicy(2, TimeSpan.FromMilliseconds(100), 1, TimeSpan.FromSeconds(1), 0));
        await queue.Publish("run-5500:unrenewed");
        await queue.StartConsuming(1, Poll);
        await queue.AddLongRunningConsumer("long", fixture.Grains.GetGrain<ILongJobConsumerGrain>($"{name}-worker"));

        var first = await Running(name);
        // The queue gives the run up while it still runs: no longer in flight, its delivery retried.
        await Eventually.True(async () => (await queue.GetJobsInFlight()).Count == 0, "the run given up", 10);
        Assert.Null(first.End);
        var second = await Running(name, 2);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(2, second.Attempt);
        // The consumer's slot (and its grain, one call at a time) is busy until the given-up run returns.
        Assert.True(second.Started >= first.EndedAt, $"the second run started at {second.Started:HH:mm:ss.fff}, the first ended at {first.EndedAt:HH:mm:ss.fff}");
        await EventuallyCounts(name, 0, 0, 1, 20);
        var headers = await RejectedHeaders(name);
        Assert.Equal(["2"], headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("was not renewed within 00:00:02", headers[DeadLetterHeaders.LastError].Single());

        // Each run went on to its end and acked: both acks stale, dropped and counted; the rejected delivery stays.
        await Eventually.True(() => Task.FromResult(second.End == JobEnd.Completed), "the second run ended", 10);
        Assert.Equal(JobEnd.Completed, first.End);
        await Eventually.Equal(2L, async () => (await queue.GetConsumingStatus()).StaleJobOutcomes, "stale outcomes counted");
        Assert.Equal((0L, 0L, 1L), await Counts(name));
        Assert.Equal(2, JobLog.Of(name).Count);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task Pause_FiresTheToken_TheDeliveryGoesBackToTheFrontOfReady_WithNoAttemptCounted()
    {
        var (queue, name) = await ConsumingAsync("long-pause", "run-30000:paused", "run-30000:behind");
        var run = await Running(name);
        await EventuallyCounts(name, 0, 2, 0);   // the second is prefetched

        var pausedAt = DateTime.UtcNow;
        await queue.Pause();

        await EventuallyCounts(name, 2, 0, 0);
        Assert.Equal(JobCancelReason.Paused, run.CancelReason);
        Assert.Equal(JobEnd.Cancelled, run.End);
        FiredSoon(run, pausedAt, "Pause");
        // Next again, as it was published: no attempt or error header.
        Assert.Equal("run-30000:paused", (string?)await Db.ListGetByIndexAsync(Keys.Ready(name), -1));
        Assert.Single(JobLog.Of(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task PauseThenResume_BeforeARenewalCarriedThePause_TheJobGoesOn_AndCompletesOnce()
    {
        var (queue, name) = await ConsumingAsync("long-resume", "run-4000:resumed");
        var run = await Running(name);
        await Eventually.True(async () => (await queue.GetJobsInFlight()).SingleOrDefault() is { } j && j.LastRenewed > j.Started, "the lease renewed");

        // No renewal reaches the queue between the pause and the resume: the pause is withdrawn before the job hears of it.
        using (HeldRenewals.Hold(name))
        {
            await queue.Pause();
            Assert.Equal(JobCancelReason.Paused, (await queue.GetJobsInFlight()).Single().CancelRequested);
            await queue.Resume();
            Assert.Equal(JobCancelReason.None, (await queue.GetJobsInFlight()).Single().CancelRequested);
        }

        await Eventually.True(() => Task.FromResult(run.End is not null), "the run ended", 15);
        Assert.Equal(JobEnd.Completed, run.End);
        Assert.Equal(JobCancelReason.None, run.CancelReason);
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Single(JobLog.Of(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task StopConsuming_FiresTheToken_AndReturnsOnceTheJobStopped_ItsDeliveryBackInReady()
    {
        var (queue, name) = await ConsumingAsync("long-stop", "run-30000:stopped");
        var run = await Running(name);

        var stoppingAt = DateTime.UtcNow;
        await queue.StopConsuming();

        Assert.Equal((1L, 0L, 0L), await Counts(name));
        Assert.Equal(JobCancelReason.Stopped, run.CancelReason);
        Assert.Equal(JobEnd.Cancelled, run.End);
        FiredSoon(run, stoppingAt, "StopConsuming");
        Assert.Equal("run-30000:stopped", (string?)await Db.ListGetByIndexAsync(Keys.Ready(name), 0));
    }

    [Fact]
    public async Task CancelInFlight_FiresTheToken_AndTheDeliveryGoesToRejectedAsCancelled()
    {
        var (queue, name) = await ConsumingAsync("long-cancel", "run-30000:cancelled");
        var run = await Running(name);
        await Eventually.True(async () => (await queue.GetJobsInFlight()).Count == 1, "the job listed");
        var job = (await queue.GetJobsInFlight()).Single();
        Assert.False(await queue.CancelInFlight(job.DeliveryId + 1000));

        var cancelledAt = DateTime.UtcNow;
        Assert.True(await queue.CancelInFlight(job.DeliveryId));

        await EventuallyCounts(name, 0, 0, 1);
        Assert.Equal(JobCancelReason.Operator, run.CancelReason);
        FiredSoon(run, cancelledAt, "CancelInFlight");
        var headers = await RejectedHeaders(name);
        Assert.Equal([DeadLetterHeaders.Cancelled], headers[DeadLetterHeaders.Reason]);
        Assert.Empty(await queue.GetJobsInFlight());
        Assert.Single(JobLog.Of(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AJobThatIgnoresItsToken_IsGivenUpAtTheMaximumRunTime_AndItsLateOutcomeIsDropped()
    {
        var (queue, name) = await ConsumingAsync("long-overrun", "ignore-12000:overrun");
        var run = await Running(name);

        // At 6 s: dead-lettered, the token fired; the run goes on (it ignores the token) until 12 s.
        await EventuallyCounts(name, 0, 0, 1, 12);
        // From the queue's start of the run, which is when its maximum run time starts: the grain's start is a little later.
        var givenUpAfter = DateTime.UtcNow - run.HeldSince;
        Assert.True(givenUpAfter >= LongJobClusterFixture.MaxRunTime, $"given up after {givenUpAfter}");
        var headers = await RejectedHeaders(name);
        Assert.Equal([DeadLetterHeaders.MaxRunTime], headers[DeadLetterHeaders.Reason]);
        await Eventually.Equal(JobCancelReason.MaxRunTime, () => Task.FromResult(run.CancelReason), "the token's reason");
        Assert.Null(run.End);

        // Its Ack comes at 12 s: stale, dropped and counted; the rejected delivery stays where it is.
        Assert.Equal(0, (await queue.GetConsumingStatus()).StaleJobOutcomes);
        await Eventually.True(() => Task.FromResult(run.End == JobEnd.Completed), "the run ended", 15);
        await Eventually.Equal(1L, async () => (await queue.GetConsumingStatus()).StaleJobOutcomes, "stale outcomes counted");
        Assert.Equal((0L, 0L, 1L), await Counts(name));
        Assert.Single(JobLog.Of(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task TheConsumersSiloKilledDuringAJob_TheDeliveryIsRunOnceMore_OnAnotherSilo_AndTheDeadRunsLateReportIsDropped()
    {
        // A cluster of its own, on the fixture's Redis: the test stops or kills one of its silos.
        await InOwnClusterAsync(async cluster =>
        {
            var grains = cluster.Client;
            var secondary = cluster.SecondarySilos[0];
            // The queue and the survivor on the primary (which holds the test membership), the doomed consumer on the other.
            var (name, queue, doomed) = await PlacedAsync(cluster, "long-kill", queueOn: cluster.Primary!, consumerOn: secondary);
            var survivor = grains.GetGrain<ILongJobConsumerGrain>($"{name}-survivor");
            await PlaceAsync(grains, survivor, cluster.Primary!.SiloAddress, survivor.Ping);

            await queue.StartConsuming(5, Poll);
            await queue.AddLongRunningConsumer("doomed", doomed);
            await queue.Publish("run-5000:survivor");   // within the 6 s maximum run time
            var first = await Running(name);
            Assert.Equal($"{name}-worker", first.Consumer);
            await queue.AddLongRunningConsumer("survivor", survivor);
            // Renewed by the doomed silo at least once: the run is under way there.
            await Eventually.True(async () => (await queue.GetJobsInFlight()).SingleOrDefault() is { } j && j.LastRenewed > j.Started, "the lease renewed");

            await cluster.KillSiloAsync(secondary);

            // To the survivor, or to the doomed consumer's new activation: either way on the silo that lives.
            var second = await Running(name, 2);
            Assert.NotEqual(first.Silo, second.Silo);
            await EventuallyCounts(name, 0, 0, 0, 20);
            Assert.Equal(JobEnd.Completed, second.End);
            Assert.Equal(2, JobLog.Of(name).Count);

            // The dead run's renewal, as it would come late: stale, answered LeaseLost, counted, nothing changes.
            var stale = (await queue.GetConsumingStatus()).StaleJobRenewals;
            Assert.Equal(JobCancelReason.LeaseLost, await grains.GetGrain<IJobLeaseGrain>(name).RenewLease(first.Lease, new JobProgress(99, "late")));
            Assert.Equal(stale + 1, (await queue.GetConsumingStatus()).StaleJobRenewals);
            Assert.Equal((0L, 0L, 0L), await Counts(name));
            await queue.StopConsuming();
        });
    }

    [Fact]
    public async Task TheConsumersSiloShutDownGracefullyDuringAJob_FiresTheToken_AndTheDeliveryIsRunAgainElsewhere_WithNoAttemptCounted()
    {
        // A cluster of its own, on the fixture's Redis: the test stops or kills one of its silos.
        await InOwnClusterAsync(async cluster =>
        {
            var leaving = cluster.SecondarySilos[0];
            var (name, queue, consumer) = await PlacedAsync(cluster, "long-shut", queueOn: cluster.Primary!, consumerOn: leaving);
            // A failed attempt would come back as attempt 2: a shutdown must not count as one.
            await queue.SetRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(100), 1, TimeSpan.FromSeconds(1), 0));
            await queue.StartConsuming(5, Poll);
            await queue.AddLongRunningConsumer("worker", consumer);
            await queue.Publish("run-4000:moved");
            var first = await Running(name);

            var stoppingAt = DateTime.UtcNow;
            await cluster.StopSiloAsync(leaving);

            Assert.Equal(JobCancelReason.Shutdown, first.CancelReason);
            Assert.Equal(JobEnd.Cancelled, first.End);
            FiredSoon(first, stoppingAt, "the shutdown began");
            // The consumer's next activation, on the silo that stays, runs it again as the same attempt.
            var second = await Running(name, 2);
            Assert.NotEqual(first.Silo, second.Silo);
            Assert.Equal(first.Attempt, second.Attempt);
            await EventuallyCounts(name, 0, 0, 0, 20);
            Assert.Equal(JobEnd.Completed, second.End);
            Assert.Equal(2, JobLog.Of(name).Count);
            await queue.StopConsuming();
        });
    }

    [Fact]
    public async Task TheQueuesSiloShutDownGracefullyDuringAJob_ReleasesTheJobAtOnce_AndItRunsAgainOnce_UnderTheQueuesNextActivation()
    {
        // A cluster of its own, on the fixture's Redis: the test stops or kills one of its silos.
        await InOwnClusterAsync(async cluster =>
        {
            // The queue on the silo that stops; its consumer on the one that stays.
            var leaving = cluster.SecondarySilos[0];
            var (name, queue, consumer) = await PlacedAsync(cluster, "long-qstop", queueOn: leaving, consumerOn: cluster.Primary!);
            await queue.StartConsuming(1, Poll);
            await queue.AddLongRunningConsumer("worker", consumer);
            await queue.Publish("run-5000:released");
            var first = await Running(name);

            // A deactivating grain takes no renewals: it does not wait for the job (that would hold the shutdown until
            // Orleans cuts it), it puts the delivery back at the front of ready.
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await cluster.StopSiloAsync(leaving);
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"the silo took {stopping.Elapsed} to stop");

            // The old run hears from the queue's next activation that it is not held, and stops; the delivery runs again.
            await Eventually.True(() => Task.FromResult(first.End is not null), "the released run ended", 10);
            Assert.Equal(JobEnd.Cancelled, first.End);
            Assert.Equal(JobCancelReason.LeaseLost, first.CancelReason);
            var second = await Running(name, 2);
            await EventuallyCounts(name, 0, 0, 0, 20);
            Assert.Equal(JobEnd.Completed, second.End);
            Assert.Equal(2, JobLog.Of(name).Count);
            await queue.StopConsuming();
        });
    }

    private async Task InOwnClusterAsync(Func<TestCluster, Task> test)
    {
        var cluster = await RmqTestCluster.DeployAsync(2, fixture.Settings, LongJobClusterFixture.ResponseTimeout);
        try
        {
            await test(cluster);
        }
        finally
        {
            await RmqTestCluster.StopAsync(cluster);
        }
    }

    /// <summary>A new queue activated on <paramref name="queueOn"/> and its consumer, <c>&lt;name&gt;-worker</c>, on <paramref name="consumerOn"/>.</summary>
    private static async Task<(string Name, IQueueGrain Queue, ILongJobConsumerGrain Consumer)> PlacedAsync(TestCluster cluster, string prefix, SiloHandle queueOn, SiloHandle consumerOn)
    {
        var name = RmqClusterFixture.UniqueName(prefix);
        var queue = cluster.Client.GetGrain<IQueueGrain>(name);
        var consumer = cluster.Client.GetGrain<ILongJobConsumerGrain>($"{name}-worker");
        await PlaceAsync(cluster.Client, queue, queueOn.SiloAddress, () => queue.GetStats());
        await PlaceAsync(cluster.Client, consumer, consumerOn.SiloAddress, consumer.Ping);
        return (name, queue, consumer);
    }

    private static async Task PlaceAsync(IGrainFactory grains, IAddressable grain, SiloAddress silo, Func<Task> activate)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        await activate();
        RequestContext.Clear();
        Assert.Equal(silo, await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain));
    }

    [Fact]
    public async Task AConsumersOwnLimits_ArePersistedWithItsRegistration_AndBoundItsJobs_AndBadLimitsRegisterNothing()
    {
        var name = RmqClusterFixture.UniqueName("long-limits");
        var queue = fixture.Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(5, Poll);
        var consumer = fixture.Grains.GetGrain<ILongJobConsumerGrain>($"{name}-worker");
        var bad = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            queue.AddLongRunningConsumer("long", consumer, new JobLimits(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2))));
        Assert.Contains("must be longer than the lease", bad.Message);
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ConsumerGrains(name)));

        var registered = await queue.AddLongRunningConsumer("long", consumer, new JobLimits(MaxRunTime: TimeSpan.FromSeconds(3)));
        Assert.StartsWith("long||3000|", (string?)await Db.HashGetAsync(Keys.ConsumerGrains(name), registered));
        await queue.Publish("ignore-5000:own-limit");
        await Running(name);
        await EventuallyCounts(name, 0, 0, 1);
        // Given up at its own 3 s, not the silo's 6 s: the error says which limit it passed.
        var headers = await RejectedHeaders(name);
        Assert.Equal([DeadLetterHeaders.MaxRunTime], headers[DeadLetterHeaders.Reason]);
        Assert.Contains("ran longer than 00:00:03", headers[DeadLetterHeaders.LastError].Single());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ADeclaredLongRunningConsumer_IsRegisteredWithItsLimits_RunsJobs_AndNewLimitsReplaceTheRegistration()
    {
        var name = RmqClusterFixture.UniqueName("long-decl");
        var queue = fixture.Grains.GetGrain<IQueueGrain>(name);
        var worker = fixture.Grains.GetGrain<ILongJobConsumerGrain>($"{name}-worker").GetGrainId();
        QueueDeclaration Declaration(long version, JobLimits? limits, bool longRunning = true) => new()
        {
            PrefetchLimit = 1,
            PollInterval = Poll,
            Consumers = [new DeclaredConsumer("long", worker, 0, TimeSpan.Zero, longRunning, limits)],
            Version = version,
        };
        async Task<string> Registration() => (string)(await Db.HashValuesAsync(Keys.ConsumerGrains(name))).Single()!;

        // Bad limits: refused, nothing written.
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.Declare(Declaration(1, new JobLimits(MaxRunTime: TimeSpan.FromHours(1)))));
        Assert.False(await Db.KeyExistsAsync(Keys.ConsumerGrains(name)));

        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(Declaration(1, new JobLimits(MaxRunTime: TimeSpan.FromSeconds(4)))));
        Assert.Equal(DeclarationOutcome.Unchanged, await queue.Declare(Declaration(1, new JobLimits(MaxRunTime: TimeSpan.FromSeconds(4)))));
        Assert.StartsWith("long||4000|", await Registration());
        await queue.Publish("run-1500:declared");
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(JobEnd.Completed, (await Running(name)).End);

        // Release 2 changes the limits: the registration is replaced, still one consumer.
        Assert.Equal(DeclarationOutcome.Applied, await queue.Declare(Declaration(2, new JobLimits(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)))));
        Assert.StartsWith("long|1000|5000|", await Registration());
        Assert.Equal(1, (await queue.GetConsumingStatus()).Consumers);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ARenewalOfARunTheQueueDoesNotHold_IsAnsweredLeaseLost_AndCounted()
    {
        var (queue, name) = await ConsumingAsync("long-stale");
        var before = (await queue.GetConsumingStatus()).StaleJobRenewals;
        Assert.Equal(JobCancelReason.LeaseLost, await fixture.Grains.GetGrain<IJobLeaseGrain>(name).RenewLease(42, new JobProgress(50, "late")));
        Assert.Equal(before + 1, (await queue.GetConsumingStatus()).StaleJobRenewals);
        await queue.StopConsuming();
    }
}

[Collection(ClassicLongJobCollection.Name)]
public sealed class LongJobTests_Classic(ClassicLongJobFixture fixture, ITestOutputHelper output) : LongJobTests(fixture, output);

[Collection(ClusterDialectLongJobCollection.Name)]
public sealed class LongJobTests_ClusterDialect(ClusterDialectLongJobFixture fixture, ITestOutputHelper output) : LongJobTests(fixture, output);

[CollectionDefinition(Name)]
public sealed class ClassicLongJobCollection : ICollectionFixture<ClassicLongJobFixture>
{
    public const string Name = "long jobs, classic dialect";
}

[CollectionDefinition(Name)]
public sealed class ClusterDialectLongJobCollection : ICollectionFixture<ClusterDialectLongJobFixture>
{
    public const string Name = "long jobs, cluster dialect";
}
