using System.Text;
using Orleans.Core.Internal;

namespace Rmq.Tests;

/// <summary>
/// Retries with backoff: a per-queue policy persisted beside the consuming configuration; Retry, a throw
/// (and, in <see cref="FaultTests"/>, a timed-out call) send the delivery back through the scheduled set
/// with <c>rmq-attempt</c> one higher, until the last attempt dead-letters it with headers saying why.
/// Every count is read from Redis. Both dialects; the cluster dialect on a real Redis Cluster, where the
/// outcome script's keys (unacked, scheduled set, counters) must share the queue's hash slot.
/// </summary>
public abstract class RetryTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>The clocks of this process and of Redis (the due time's) are the same machine's; a little slack for rounding.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(5);

    private static RetryPolicy Policy(int attempts, int initialMs, double multiplier = 2, int maxMs = 60_000, double jitter = 0) =>
        new(attempts, TimeSpan.FromMilliseconds(initialMs), multiplier, TimeSpan.FromMilliseconds(maxMs), jitter);

    private async Task<IQueueGrain> ConsumingAsync(string name, RetryPolicy? policy)
    {
        var queue = Queue(name);
        if (policy is not null) await queue.SetRetryPolicy(policy);
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("retry", Fixture.Grains.GetGrain<IRetryConsumerGrain>(name));
        return queue;
    }

    private Task<long> Scheduled(string queue) => Db.SortedSetLengthAsync(Keys.Scheduled(queue));

    private static (IReadOnlyDictionary<string, string[]> Headers, string Payload) Decode(RedisValue element)
    {
        Assert.True(HeaderCodec.TryDecode((byte[])element!, out var headers, out var payload, out var error), error);
        return (headers, Encoding.UTF8.GetString(payload));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RetryLaterException_WaitsTheDelayTheConsumerGave_NotThePolicysBackoff_AndCountsTheAttempt(bool withPolicy)
    {
        var name = RmqClusterFixture.UniqueName("later");
        var queue = await ConsumingAsync(name, withPolicy ? Policy(3, 50) : null);
        await queue.Publish("later-1500:x");

        await Eventually.True(() => Task.FromResult(RetryLog.Of(name).Count >= 2), "the second attempt", 15);
        await EventuallyCounts(name, 0, 0, 0);
        var calls = RetryLog.Of(name);
        Assert.Equal([1, 2], calls.Select(c => c.Attempt));
        var gap = calls[1].At - calls[0].At;
        Assert.True(gap >= TimeSpan.FromMilliseconds(1500) - ClockSlack, $"attempt 2 came {gap.TotalMilliseconds} ms after attempt 1, before the 1500 ms the consumer asked for");
        Assert.True(gap < TimeSpan.FromMilliseconds(1500) + TimeSpan.FromSeconds(1.5), $"attempt 2 came {gap.TotalMilliseconds} ms after attempt 1, long after the 1500 ms asked for");
        Assert.Equal(["2"], calls[1].Headers[DeadLetterHeaders.Attempt]);
        Assert.Contains("asked to retry after 00:00:01.5000000: the partner answered 429", calls[1].Headers[DeadLetterHeaders.LastError][0]);
        Assert.Equal((0L, 0L), (await Scheduled(name), await Db.ListLengthAsync(Keys.Rejected(name))));
        Assert.Equal(1L, (await queue.GetStats()).RetriedCount);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task RetryLaterException_StillCountsAgainstThePolicysAttempts()
    {
        var name = RmqClusterFixture.UniqueName("later-max");
        // One attempt allowed: asking for a later one dead-letters the delivery instead.
        var queue = await ConsumingAsync(name, Policy(1, 50));
        await queue.Publish("later-100:x");

        await EventuallyCounts(name, 0, 0, 1);
        var (headers, payload) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal("later-100:x", payload);
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], headers[DeadLetterHeaders.Reason]);
        Assert.Contains("the partner answered 429", headers[DeadLetterHeaders.LastError][0]);
        Assert.Single(RetryLog.Of(name));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AThrowOfAnExceptionTypeThePolicyNeverRetries_GoesStraightToRejected_AndOthersAreRetried()
    {
        var name = RmqClusterFixture.UniqueName("never");
        var policy = Policy(5, 50).NeverRetrying(typeof(InvalidOperationException));
        var queue = await ConsumingAsync(name, policy);
        Assert.Equal(policy, await queue.GetRetryPolicy());
        await queue.Publish("throw:never");

        await EventuallyCounts(name, 0, 0, 1);
        var (headers, _) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal([DeadLetterHeaders.PermanentFailure], headers[DeadLetterHeaders.Reason]);
        Assert.Contains("System.InvalidOperationException is never retried: cannot handle throw:never", headers[DeadLetterHeaders.LastError][0]);
        await Task.Delay(300);
        Assert.Single(RetryLog.Of(name));

        // Another type is retried as the policy says: five attempts, then retries-exhausted.
        await queue.SetRetryPolicy(Policy(5, 50).NeverRetrying(typeof(FormatException)));
        await Db.KeyDeleteAsync(Keys.Rejected(name));
        await queue.Publish("throw:retried");
        await EventuallyCounts(name, 0, 0, 1, 20);
        (headers, _) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], headers[DeadLetterHeaders.Reason]);
        Assert.Equal(6, RetryLog.Of(name).Count);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AJobId_StaysTheSame_AcrossRetries_Rejection_AndReturnRejected()
    {
        var name = RmqClusterFixture.UniqueName("jobid");
        var queue = await ConsumingAsync(name, Policy(5, 50));
        var message = RmqMessage.Text("reject-at-2:x").WithJobId("order-42");
        Assert.Equal("order-42", message.JobId);
        await queue.Publish(message);

        // Attempt 1 retried, attempt 2 rejected by the consumer; returned, then the same again.
        await EventuallyCounts(name, 0, 0, 1);
        var (rejected, _) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal(["order-42"], rejected[JobIds.Header]);
        Assert.Equal(1, await queue.ReturnRejected(10));
        await Eventually.True(() => Task.FromResult(RetryLog.Of(name).Count >= 4), "four attempts", 15);
        await EventuallyCounts(name, 0, 0, 1);
        var calls = RetryLog.Of(name);
        Assert.Equal([1, 2, 1, 2], calls.Select(c => c.Attempt));
        Assert.All(calls, c => Assert.Equal(["order-42"], c.Headers[JobIds.Header]));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task PermanentFailureException_GoesStraightToRejected_WithHeadersSayingWhy_EvenUnderARetryPolicy()
    {
        var name = RmqClusterFixture.UniqueName("permanent");
        var queue = await ConsumingAsync(name, Policy(5, 50));
        await queue.Publish(RmqMessage.Text("permanent:42").WithHeaders(new Dictionary<string, string[]> { ["tenant"] = ["acme"] }));

        await EventuallyCounts(name, 0, 0, 1);
        var (headers, payload) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal("permanent:42", payload);
        Assert.Equal(["acme"], headers["tenant"]);
        Assert.Equal([DeadLetterHeaders.PermanentFailure], headers[DeadLetterHeaders.Reason]);
        Assert.Equal(["1"], headers[DeadLetterHeaders.Attempts]);
        Assert.Matches("^consumer retry-[A-Za-z0-9]+ failed permanently: order in permanent:42 does not validate$", headers[DeadLetterHeaders.LastError][0]);
        Assert.False(headers.ContainsKey(DeadLetterHeaders.Attempt));
        Assert.Equal(0, await Scheduled(name));
        // No attempt follows, whatever the policy allows.
        await Task.Delay(300);
        Assert.Single(RetryLog.Of(name));
        Assert.Equal(0L, (await queue.GetStats()).RetriedCount);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task Retry_WaitsOutAGrowingBackoff_CountsAttempts_ThenDeadLettersWithHeadersSayingWhy()
    {
        var name = RmqClusterFixture.UniqueName("retry");
        var queue = await ConsumingAsync(name, Policy(4, 200, 2, 700));
        await queue.Publish(RmqMessage.Text("retry-me").WithHeaders(new Dictionary<string, string[]> { ["tenant"] = ["acme"] }));

        await EventuallyCounts(name, 0, 0, 1, 20);
        var calls = RetryLog.Of(name);
        Assert.Equal([1, 2, 3, 4], calls.Select(c => c.Attempt));
        Assert.All(calls, c => Assert.Equal(["acme"], c.Headers["tenant"]));
        Assert.False(calls[0].Headers.ContainsKey(DeadLetterHeaders.Attempt));
        Assert.Equal(["2"], calls[1].Headers[DeadLetterHeaders.Attempt]);
        Assert.Contains("returned Retry", calls[1].Headers[DeadLetterHeaders.LastError][0]);
        // Backoffs 200, 400, then 800 capped at 700 ms: never early, and the scheduler wakes for them
        // (the cleaner is off in this fixture, and the scheduler's longest sleep is 1 s).
        TimeSpan[] backoffs = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(700)];
        for (var i = 0; i < backoffs.Length; i++)
        {
            var gap = calls[i + 1].At - calls[i].At;
            Assert.True(gap >= backoffs[i] - ClockSlack, $"attempt {i + 2} came {gap.TotalMilliseconds} ms after attempt {i + 1}, before its {backoffs[i].TotalMilliseconds} ms backoff");
            Assert.True(gap < backoffs[i] + TimeSpan.FromSeconds(1.5), $"attempt {i + 2} came {gap.TotalMilliseconds} ms after attempt {i + 1}, long after its {backoffs[i].TotalMilliseconds} ms backoff");
        }

        var (headers, payload) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal("retry-me", payload);
        Assert.Equal(["acme"], headers["tenant"]);
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], headers[DeadLetterHeaders.Reason]);
        Assert.Equal(["4"], headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("returned Retry", headers[DeadLetterHeaders.LastError][0]);
        Assert.False(headers.ContainsKey(DeadLetterHeaders.Attempt));
        // published (1) = scheduled + ready + unacked + rejected
        Assert.Equal(0, await Scheduled(name));
        var stats = await queue.GetStats();
        Assert.Equal((3L, 1L), (stats.RetriedCount, stats.DeadLetteredCount));
        Assert.Equal("3", (string?)await Db.HashGetAsync(Keys.Counters(name), "retried"));
        await Task.Delay(300);
        Assert.Equal(4, RetryLog.Of(name).Count);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task AWaitingRetry_IsAPlainElementInTheScheduledSet_AndAGoStyleConsumerSeesItsAttemptHeader()
    {
        var name = RmqClusterFixture.UniqueName("retry-go");
        var queue = await ConsumingAsync(name, Policy(3, 3_600_000, maxMs: 3_600_000));
        await queue.Publish("retry-later");

        await Eventually.Equal(1L, () => Scheduled(name), "scheduled retries");
        Assert.Equal((0L, 0L, 0L), await Counts(name));
        var id = (string)(await Db.SortedSetRangeByRankAsync(Keys.Scheduled(name)))[0]!;
        var due = (await Db.SortedSetScoreAsync(Keys.Scheduled(name), id))!.Value;
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds((long)due) - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        var (headers, payload) = Decode(await Db.HashGetAsync(Keys.ScheduledElements(name), id));
        Assert.Equal("retry-later", payload);
        Assert.Equal(["2"], headers[DeadLetterHeaders.Attempt]);

        // Consuming stops; the retry comes due (its score moved to now, as an hour passing would) and the
        // scheduler moves it to ready, where a Go rmq consumer (plain RPOPLPUSH) takes it, header and all.
        await queue.StopConsuming();
        await Db.SortedSetAddAsync(Keys.Scheduled(name), id, 0);
        await queue.GetStats(); // the scheduler looks at least every second while anything is scheduled
        await Eventually.Equal(1L, () => Ready(name), "ready", 5);
        var taken = await Db.ListRightPopLeftPushAsync(Keys.Ready(name), Keys.Unacked("go-consumer", name));
        var (goHeaders, goPayload) = Decode(taken);
        Assert.Equal("retry-later", goPayload);
        Assert.Equal(["2"], goHeaders[DeadLetterHeaders.Attempt]);
        Assert.Equal(0, await Scheduled(name));
        Assert.Equal(0, await Db.HashLengthAsync(Keys.ScheduledElements(name)));
        await Db.KeyDeleteAsync(Keys.Unacked("go-consumer", name));
    }

    [Fact]
    public async Task AThrowingConsumer_IsRetriedUnderThePolicy_AndTheLastErrorNamesTheException()
    {
        var name = RmqClusterFixture.UniqueName("retry-thr");
        var queue = await ConsumingAsync(name, Policy(2, 50));
        await queue.Publish("throw-it");

        await EventuallyCounts(name, 0, 0, 1, 20);
        Assert.Equal([1, 2], RetryLog.Of(name).Select(c => c.Attempt));
        var (headers, payload) = Decode(await Db.ListGetByIndexAsync(Keys.Rejected(name), 0));
        Assert.Equal("throw-it", payload);
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], headers[DeadLetterHeaders.Reason]);
        Assert.Equal(["2"], headers[DeadLetterHeaders.Attempts]);
        Assert.Contains("System.InvalidOperationException: cannot handle throw-it", headers[DeadLetterHeaders.LastError][0]);
        Assert.Equal((1L, 1L), ((await queue.GetStats()).RetriedCount, (await queue.GetStats()).DeadLetteredCount));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ADeliveryThatSucceedsOnALaterAttempt_IsConsumed_AndNothingIsLeftAnywhere()
    {
        var name = RmqClusterFixture.UniqueName("retry-ok");
        var queue = await ConsumingAsync(name, Policy(5, 20, maxMs: 100));
        var payloads = Enumerable.Range(0, 20).Select(i => $"ack-at-{1 + i % 3}:{i}").ToList();
        await queue.PublishBatch(payloads);

        await Eventually.Equal(payloads.Count, () => Task.FromResult(RetryLog.Of(name).Count(c => c.Attempt >= At(c.Payload))), "acked", 20);
        await EventuallyCounts(name, 0, 0, 0);
        Assert.Equal(0, await Scheduled(name));
        // Each payload was seen exactly at attempts 1..N, once each.
        foreach (var p in payloads)
            Assert.Equal(Enumerable.Range(1, At(p)), RetryLog.Of(name).Where(c => c.Payload == p).Select(c => c.Attempt).Order());
        var expectedRetries = payloads.Sum(p => At(p) - 1);
        Assert.Equal((long)expectedRetries, (await queue.GetStats()).RetriedCount);
        Assert.Equal(0, (await queue.GetStats()).DeadLetteredCount);
        await queue.StopConsuming();

        static int At(string payload) => int.Parse(payload.Split('-')[2].Split(':')[0]);
    }

    [Fact]
    public async Task ReturnRejected_PutsDeliveriesBackWithTheirAttemptsReset_KeepingTheirOwnHeaders()
    {
        var name = RmqClusterFixture.UniqueName("retry-ret");
        var queue = await ConsumingAsync(name, Policy(2, 20));
        // One is dead-lettered by the policy (attempt header replaced by reason headers); one is rejected
        // by its consumer on attempt 2 (the element as it is, rmq-attempt 2 included).
        await queue.Publish(RmqMessage.Text("retry-dead").WithHeaders(new Dictionary<string, string[]> { ["tenant"] = ["acme"] }));
        await queue.Publish("reject-at-2:x");
        await EventuallyCounts(name, 0, 0, 2, 20);
        var rejected = (await Db.ListRangeAsync(Keys.Rejected(name))).Select(Decode).ToDictionary(d => d.Payload, d => d.Headers);
        Assert.Equal(["2"], rejected["reject-at-2:x"][DeadLetterHeaders.Attempt]);
        Assert.Equal([DeadLetterHeaders.RetriesExhausted], rejected["retry-dead"][DeadLetterHeaders.Reason]);

        await queue.StopConsuming();
        Assert.Equal(2, await queue.ReturnRejected(10));
        Assert.Equal(0, await Rejected(name));
        var ready = (await Db.ListRangeAsync(Keys.Ready(name))).ToList();
        Assert.Equal(2, ready.Count);
        // Neither carries Rmq's retry headers any more; the publisher's header stays.
        Assert.Equal("reject-at-2:x", (string?)ready.Single(e => !HeaderCodec.HasHeader((byte[])e!)));
        var (headers, payload) = Decode(ready.Single(e => HeaderCodec.HasHeader((byte[])e!)));
        Assert.Equal("retry-dead", payload);
        Assert.Equal(["acme"], headers["tenant"]);
        Assert.Single(headers);

        // Consumed again, each starts at attempt 1.
        var before = RetryLog.Of(name).Count;
        await queue.StartConsuming(5, Poll);
        await queue.AddConsumer("retry", Fixture.Grains.GetGrain<IRetryConsumerGrain>(name));
        await EventuallyCounts(name, 0, 0, 2, 20);
        var again = RetryLog.Of(name).Skip(before).ToList();
        Assert.Equal([1, 2], again.Where(c => c.Payload == "retry-dead").Select(c => c.Attempt));
        Assert.Equal([1, 2], again.Where(c => c.Payload == "reject-at-2:x").Select(c => c.Attempt));
        await queue.StopConsuming();
    }

    [Fact]
    public async Task WithoutAPolicy_RetryAndThrowRejectTheElementAsItIs_AsGoRmqWould()
    {
        var name = RmqClusterFixture.UniqueName("retry-none");
        var queue = await ConsumingAsync(name, null);
        await queue.Publish("retry-plain");
        await queue.Publish("throw-plain");

        await EventuallyCounts(name, 0, 0, 2, 20);
        Assert.Equal(["retry-plain", "throw-plain"], (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (string)v!).Order());
        Assert.Equal(2, RetryLog.Of(name).Count);
        Assert.Equal(0, await Scheduled(name));
        Assert.False(await Db.KeyExistsAsync(Keys.Counters(name)));
        Assert.Null(await queue.GetRetryPolicy());
        await queue.StopConsuming();
    }

    [Fact]
    public async Task ThePolicy_IsPersisted_SurvivesReactivationAndStopConsuming_AndCanBeRemoved()
    {
        var name = RmqClusterFixture.UniqueName("retry-per");
        var queue = Queue(name);
        var policy = new RetryPolicy(7, TimeSpan.FromMilliseconds(1500.5), 1.5, TimeSpan.FromMinutes(3), 0.25);
        await queue.SetRetryPolicy(policy);
        Assert.Equal("v1;7;1500.5;1.5;180000;0.25", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(name), "retry"));
        Assert.True(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));
        Assert.Equal(policy, await queue.GetRetryPolicy());

        // A new activation reads it back and applies it.
        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await ConsumingAsync(name, null);
        await queue.SetRetryPolicy(Policy(2, 10));
        await queue.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        await queue.Publish("retry-after-reactivation");
        await EventuallyCounts(name, 0, 0, 1, 20);
        Assert.Equal([1, 2], RetryLog.Of(name).Select(c => c.Attempt));

        await queue.StopConsuming();
        Assert.Equal(Policy(2, 10), await queue.GetRetryPolicy());
        await queue.SetRetryPolicy(null);
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(name), "retry"));
        Assert.Null(await queue.GetRetryPolicy());
    }

    [Fact]
    public async Task ABadPolicy_IsRefusedWithWordsSayingWhat_AndRedisIsUntouched()
    {
        var name = RmqClusterFixture.UniqueName("retry-bad");
        var queue = Queue(name);
        var good = RetryPolicy.Default;
        (RetryPolicy Policy, string Param, string Words)[] bad =
        [
            (good with { MaxAttempts = 0 }, "MaxAttempts", "1 to 1000"),
            (good with { MaxAttempts = 1001 }, "MaxAttempts", "1 to 1000"),
            (good with { InitialBackoff = TimeSpan.FromMilliseconds(-1) }, "InitialBackoff", "0 to 30 days"),
            (good with { Multiplier = 0.5 }, "Multiplier", "1 (constant backoff) to 100"),
            (good with { Multiplier = double.NaN }, "Multiplier", "1 (constant backoff) to 100"),
            (good with { MaxBackoff = TimeSpan.FromMilliseconds(500) }, "MaxBackoff", "at least InitialBackoff"),
            (good with { MaxBackoff = TimeSpan.FromDays(31) }, "MaxBackoff", "at most 30 days"),
            (good with { Jitter = 1.5 }, "Jitter", "0 (none) to 1"),
        ];
        foreach (var (policy, param, words) in bad)
        {
            var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SetRetryPolicy(policy));
            // (Orleans does not carry ParamName across; the message names the field.)
            Assert.Contains($"RetryPolicy.{param} must be", e.Message);
            Assert.Contains(words, e.Message);
        }
        Assert.False(await Db.KeyExistsAsync(Keys.ConsumingConfig(name)));
        Assert.False(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));
        Assert.Null(await queue.GetRetryPolicy());
    }

    [Fact]
    public async Task ABatchConsumer_CanRetrySomeDeliveriesOfABatch()
    {
        var name = RmqClusterFixture.UniqueName("retry-bat");
        var queue = Queue(name);
        await queue.SetRetryPolicy(Policy(3, 20));
        var consumer = await BatchConsumerAsync(ConsumerBehaviour.Hold);
        await queue.StartConsuming(10, Poll);
        await queue.AddBatchConsumer("batch", consumer, 4, TimeSpan.FromSeconds(1));
        await queue.PublishBatch(["a", "b", "c", "d"]);

        await Eventually.Equal(1, async () => (await consumer.GetBatches()).Count, "first batch");
        Assert.Equal(["a", "b", "c", "d"], (await consumer.GetBatches())[0].Select(d => d.Payload));
        await consumer.Configure(ConsumerBehaviour.AutoAck);
        await consumer.Finish([DeliveryOutcome.Ack, DeliveryOutcome.Retry, DeliveryOutcome.Ack, DeliveryOutcome.Retry]);

        await Eventually.Equal(2, async () => (await consumer.GetBatches()).Skip(1).Sum(b => b.Count), "deliveries after the first batch", 20);
        await EventuallyCounts(name, 0, 0, 0, 20);
        Assert.Equal(0, await Scheduled(name));
        var later = (await consumer.GetBatches()).Skip(1).SelectMany(b => b).ToList();
        Assert.Equal(["b", "d"], later.Select(d => d.Payload).Order());
        Assert.All(later, d => Assert.Equal(2, d.Attempt));
        Assert.Equal((2L, 0L), ((await queue.GetStats()).RetriedCount, (await queue.GetStats()).DeadLetteredCount));
        await queue.StopConsuming();
    }
}

[Collection(ClassicCollection.Name)]
[Trait("Garnet", "core")]
public sealed class RetryTests_Classic(ClassicClusterFixture fixture) : RetryTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class RetryTests_ClusterDialect(ClusterDialectClusterFixture fixture) : RetryTests(fixture);
