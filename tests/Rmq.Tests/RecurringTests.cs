using System.Globalization;
using Cronos;
using Rmq.Recurring;

namespace Rmq.Tests;

/// <summary>
/// Recurring jobs through the queue grain: definitions in the queue's rmq-recurring hashes, each occurrence
/// scheduled once (a compare-and-set) into the rmq-scheduled set and moved to ready by the scheduler. What
/// fired is read from ready itself: every occurrence carries its time in the rmq header <c>rmq-occurrence</c>.
/// Both dialects; the cluster dialect on a real Redis Cluster. The fixture's cleaner timer is off: the
/// queue grain's scheduler fires the jobs, and tests that need the cleaner call <see cref="ICleanerGrain.Clean"/>.
/// </summary>
public abstract class RecurringTests(RmqClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>One element of ready, decoded: its payload, the job name and occurrence from its rmq header.</summary>
    private sealed record Fired(string Payload, string Job, long OccurrenceMs);

    private async Task<List<Fired>> ReadyFired(string queue)
    {
        var elements = await Db.ListRangeAsync(Keys.Ready(queue));
        var fired = new List<Fired>();
        foreach (var raw in elements.Reverse())
        {
            Assert.True(HeaderCodec.TryDecode((byte[])raw!, out var headers, out var payload, out _), "an element with an rmq header");
            var occurrence = DateTimeOffset.Parse(headers[RecurringJob.OccurrenceHeader].Single(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            fired.Add(new Fired(System.Text.Encoding.UTF8.GetString(payload), headers[RecurringJob.NameHeader].Single(), occurrence));
        }
        return fired;
    }

    private async Task<long> RedisNowMs()
    {
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }

    /// <summary>
    /// Polls ready until it holds <paramref name="count"/> occurrences; each time new ones appear, checks with
    /// Redis's clock that none arrived before its time.
    /// </summary>
    private async Task<List<Fired>> WaitForFired(string queue, int count)
    {
        var deadline = DateTime.UtcNow + Deadline;
        var seen = 0;
        while (true)
        {
            var fired = await ReadyFired(queue);
            if (fired.Count > seen)
            {
                var now = await RedisNowMs();
                foreach (var f in fired.Skip(seen))
                    Assert.True(f.OccurrenceMs <= now, $"occurrence {f.OccurrenceMs} reached ready before its time (Redis's clock {now})");
                seen = fired.Count;
            }
            if (fired.Count >= count) return fired;
            Assert.True(DateTime.UtcNow < deadline, $"{count} occurrences in ready of {queue} within {Deadline}; there are {fired.Count}");
            await Task.Delay(20);
        }
    }

    private async Task AssertNoRecurringKeysLeft(string queue, string job)
    {
        Assert.False(await Db.HashExistsAsync(Keys.Recurring(queue), job));
        Assert.False(await Db.HashExistsAsync(Keys.RecurringElements(queue), job));
        Assert.False(await Db.HashExistsAsync(Keys.RecurringState(queue), job));
        var scheduled = await Db.SortedSetRangeByRankAsync(Keys.Scheduled(queue));
        Assert.DoesNotContain(scheduled, id => ((string)id!).StartsWith($"rec:{job}:", StringComparison.Ordinal));
        var elements = await Db.HashKeysAsync(Keys.ScheduledElements(queue));
        Assert.DoesNotContain(elements, id => ((string)id!).StartsWith($"rec:{job}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnIntervalJob_FiresOncePerOccurrence_OneIntervalApart_NeverEarly_AndRemoveStopsIt()
    {
        var name = RmqClusterFixture.UniqueName("rec-i");
        var queue = Queue(name);
        var info = await queue.ScheduleRecurring("tick", RecurringSchedule.Every(TimeSpan.FromSeconds(1)), "tick payload");
        Assert.Equal(("tick", "every 00:00:01", "UTC", MissedOccurrencePolicy.FireOnce), (info.Name, info.Schedule, info.TimeZoneId, info.Missed));
        Assert.NotNull(info.NextOccurrence);
        Assert.Null(info.LastOccurrence);
        Assert.True(await Db.SetContainsAsync(RedisKeys.RecurringQueues, name));
        Assert.True(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));

        var fired = await WaitForFired(name, 3);
        Assert.All(fired, f => Assert.Equal(("tick payload", "tick"), (f.Payload, f.Job)));
        // The first one is the next occurrence the job reported, and each is one interval after the one before.
        Assert.Equal(info.NextOccurrence!.Value.ToUnixTimeMilliseconds(), fired[0].OccurrenceMs);
        for (var i = 1; i < fired.Count; i++) Assert.Equal(1000, fired[i].OccurrenceMs - fired[i - 1].OccurrenceMs);

        var listed = Assert.Single(await queue.ListRecurring());
        Assert.True(listed.LastOccurrence >= DateTimeOffset.FromUnixTimeMilliseconds(fired[^1].OccurrenceMs), $"last {listed.LastOccurrence}");
        Assert.True(listed.NextOccurrence > listed.LastOccurrence);
        Assert.Equal(1, (await queue.GetStats()).RecurringCount);

        Assert.True(await queue.RemoveRecurring("tick"));
        Assert.False(await queue.RemoveRecurring("tick"));
        await AssertNoRecurringKeysLeft(name, "tick");
        Assert.Empty(await queue.ListRecurring());
        Assert.Equal(0, (await queue.GetStats()).RecurringCount);
        // Nothing more arrives: wait (on Redis's clock) past two more occurrences, then count again.
        var count = (await ReadyFired(name)).Count;
        var until = await RedisNowMs() + 2500;
        await Eventually.True(async () => await RedisNowMs() > until, "Redis's clock 2.5 s on");
        await Queue(name).GetStats(); // a turn of the grain, so a tick in progress has finished
        Assert.Equal(count, (await ReadyFired(name)).Count);
    }

    [Fact]
    public async Task ACronJobWithSeconds_FiresOnItsDueSeconds()
    {
        var name = RmqClusterFixture.UniqueName("rec-c");
        var queue = Queue(name);
        await queue.ScheduleRecurring("even", RecurringSchedule.Cron("*/2 * * * * *"), "even second");
        var fired = await WaitForFired(name, 3);
        foreach (var f in fired)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(f.OccurrenceMs);
            Assert.Equal((0, 0), (at.Millisecond, at.Second % 2));
        }
        for (var i = 1; i < fired.Count; i++) Assert.Equal(2000, fired[i].OccurrenceMs - fired[i - 1].OccurrenceMs);
        Assert.True(await queue.RemoveRecurring("even"));
    }

    [Fact]
    public async Task ATimeZone_IsHonoured_TheNextOccurrenceIsNineInNewYork()
    {
        var name = RmqClusterFixture.UniqueName("rec-z");
        var queue = Queue(name);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var before = DateTimeOffset.UtcNow;
        var ny = await queue.ScheduleRecurring("ny", RecurringSchedule.Cron("0 9 * * *", "America/New_York", MissedOccurrencePolicy.Skip), "good morning");
        var utc = await queue.ScheduleRecurring("utc", RecurringSchedule.Cron("0 9 * * *"), "good morning");
        var expected = CronExpression.Parse("0 9 * * *").GetNextOccurrence(before, zone)!.Value;
        Assert.Equal(expected, ny.NextOccurrence);
        Assert.Equal(9, TimeZoneInfo.ConvertTime(ny.NextOccurrence!.Value, zone).Hour);
        Assert.NotEqual(utc.NextOccurrence, ny.NextOccurrence);
        Assert.Equal(("America/New_York", MissedOccurrencePolicy.Skip, "0 9 * * *"), (ny.TimeZoneId, ny.Missed, ny.Schedule));
        // What waits in the scheduled set is that occurrence, under its deterministic id.
        Assert.Equal(expected.ToUnixTimeMilliseconds(),
            (long)(await Db.SortedSetScoreAsync(Keys.Scheduled(name), $"rec:ny:{expected.ToUnixTimeMilliseconds()}"))!.Value);
        Assert.Equal(["ny", "utc"], (await queue.ListRecurring()).Select(j => j.Name));
        var destroyed = await queue.Destroy();
        Assert.Equal(2, destroyed.RecurringCount);
        Assert.Equal(2, destroyed.ScheduledCount);
        foreach (var key in new RedisKey[] { Keys.Recurring(name), Keys.RecurringElements(name), Keys.RecurringState(name), Keys.Scheduled(name), Keys.ScheduledElements(name) })
            Assert.False(await Db.KeyExistsAsync(key), $"{key} after Destroy");
        Assert.Empty(await queue.ListRecurring());
    }

    [Fact]
    public async Task SchedulingTheSameNameAgain_ReplacesTheJob_OnlyTheNewPayloadFiresAfterwards()
    {
        var name = RmqClusterFixture.UniqueName("rec-r");
        var queue = Queue(name);
        await queue.ScheduleRecurring("job", RecurringSchedule.Every(TimeSpan.FromSeconds(1)), "v1");
        await WaitForFired(name, 1);
        var replaced = await queue.ScheduleRecurringWithHeaders("job", RecurringSchedule.Cron("* * * * * *"), "v2",
            new Dictionary<string, string[]> { ["tenant"] = ["acme"] });
        Assert.Equal("* * * * * *", replaced.Schedule);
        var v1 = (await ReadyFired(name)).Count(f => f.Payload == "v1");
        var fired = await WaitForFired(name, v1 + 2);
        Assert.Equal(["v2", "v2"], fired.Skip(v1).Take(2).Select(f => f.Payload));
        Assert.Equal(v1, fired.Count(f => f.Payload == "v1"));
        Assert.Equal(1, await Db.HashLengthAsync(Keys.Recurring(name)));
        // The job's own headers come along; the scheduled set holds one occurrence of it.
        var raw = (byte[])(await Db.ListGetByIndexAsync(Keys.Ready(name), 0))!;
        Assert.True(HeaderCodec.TryDecode(raw, out var headers, out _, out _));
        Assert.Equal(["acme"], headers["tenant"]);
        Assert.Single(await Db.SortedSetRangeByRankAsync(Keys.Scheduled(name)), id => ((string)id!).StartsWith("rec:job:", StringComparison.Ordinal));
        Assert.True(await queue.RemoveRecurring("job"));
        await AssertNoRecurringKeysLeft(name, "job");
    }

    /// <summary>
    /// An outage, written into Redis as it would be left: the job's pending occurrence ten minutes in the past,
    /// still in the scheduled set (nothing moved it), or gone from it (published, and nothing scheduled the next
    /// one since). About 600 every-second occurrences were missed: FireOnce publishes one of them late, Skip none;
    /// both carry on with the next occurrence in the future.
    /// </summary>
    [Theory]
    [InlineData(MissedOccurrencePolicy.FireOnce, true)]
    [InlineData(MissedOccurrencePolicy.FireOnce, false)]
    [InlineData(MissedOccurrencePolicy.Skip, true)]
    [InlineData(MissedOccurrencePolicy.Skip, false)]
    public async Task MissedOccurrences_AfterAnOutage_FireOnceLate_OrAreSkipped(MissedOccurrencePolicy policy, bool stillScheduled)
    {
        var name = RmqClusterFixture.UniqueName("rec-m");
        // Written by hand, as a whole cluster's outage leaves it: no queue grain active, a job firing every
        // second whose pending occurrence is ten minutes old. The first to look is the cleaner's pass.
        var outageStart = (await RedisNowMs() / 1000 - 600) * 1000;
        var pendingId = $"rec:job:{outageStart}";
        var definition = new RecurringDefinition("g1", "* * * * * *", "UTC", null, 0, policy, null);
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(Keys.Recurring(name), "job", definition.Encode());
        _ = tx.HashSetAsync(Keys.RecurringElements(name), "job", "missed");
        _ = tx.HashSetAsync(Keys.RecurringState(name), "job", $"g1|{outageStart}|0|0");
        if (stillScheduled)
        {
            _ = tx.HashSetAsync(Keys.ScheduledElements(name), pendingId, HeaderCodec.Encode("missed"u8,
                new Dictionary<string, string[]> { [RecurringJob.NameHeader] = ["job"], [RecurringJob.OccurrenceHeader] = [RecurringJobs.Iso(outageStart)] }));
            _ = tx.SortedSetAddAsync(Keys.Scheduled(name), pendingId, outageStart);
        }
        Assert.True(await tx.ExecuteAsync());
        await Db.SetAddAsync(RedisKeys.RecurringQueues, name);
        await Db.SetAddAsync(RedisKeys.ScheduledQueues, name);
        var outageEnd = await RedisNowMs();

        // The cleaner's pass: recurring jobs first, then the move, then it activates the queue grain, whose
        // scheduler carries on.
        await Fixture.Grains.GetGrain<ICleanerGrain>(0).Clean();
        var fired = await WaitForFired(name, policy == MissedOccurrencePolicy.FireOnce ? 3 : 2);
        var late = fired.Where(f => f.OccurrenceMs < outageEnd).ToList();
        if (policy == MissedOccurrencePolicy.FireOnce)
        {
            var one = Assert.Single(late);
            Assert.Equal(stillScheduled ? outageStart : outageStart + 1000, one.OccurrenceMs);
            Assert.Equal("missed", one.Payload);
        }
        else Assert.Empty(late);
        // Then every second from the outage's end, each once.
        var after = fired.Where(f => f.OccurrenceMs >= outageEnd).Select(f => f.OccurrenceMs).ToList();
        Assert.True(after.Count >= 2, $"{after.Count} occurrences after the outage");
        Assert.True(after[0] - outageEnd <= 2000, $"the first after the outage {after[0] - outageEnd} ms after its end");
        Assert.All(after.Zip(after.Skip(1)), p => Assert.Equal(1000, p.Second - p.First));
        Assert.False(await Db.HashExistsAsync(Keys.ScheduledElements(name), pendingId));
        Assert.True(await Queue(name).RemoveRecurring("job"));
    }

    /// <summary>
    /// The compare-and-set, made to matter: a silo reads the job, then stalls (a GC pause) while the cleaner
    /// schedules the same occurrence and it is moved to ready; when the stalled silo writes its decision —
    /// "schedule that occurrence" — it must be refused, or the occurrence would be published twice.
    /// </summary>
    [Fact]
    public async Task AStaleDecision_WrittenAfterTheOccurrenceWasPublished_IsRefused_NothingFiresTwice()
    {
        var name = RmqClusterFixture.UniqueName("rec-s");
        // By hand, with no queue grain active: the last occurrence was published 2 s ago, the next is not scheduled yet.
        var last = (await RedisNowMs() / 1000 - 2) * 1000;
        var tx = Db.CreateTransaction();
        _ = tx.HashSetAsync(Keys.Recurring(name), "job", new RecurringDefinition("g1", "* * * * * *", "UTC", null, 0, MissedOccurrencePolicy.FireOnce, null).Encode());
        _ = tx.HashSetAsync(Keys.RecurringElements(name), "job", "p");
        _ = tx.HashSetAsync(Keys.RecurringState(name), "job", $"g1|{last}|0|0");
        Assert.True(await tx.ExecuteAsync());
        await Db.SetAddAsync(RedisKeys.RecurringQueues, name);
        await Db.SetAddAsync(RedisKeys.ScheduledQueues, name);

        var stalled = Fixture.Grains.GetGrain<IRecurringEnsureGrain>(Random.Shared.NextInt64());
        await stalled.StartStalledEnsure(name);
        // Meanwhile: the cleaner schedules the occurrence after `last` and moves it (it is due), and the queue
        // grain it activates goes on with the next ones.
        await Fixture.Grains.GetGrain<ICleanerGrain>(0).Clean();
        var fired = await WaitForFired(name, 2);
        Assert.Equal(last + 1000, fired[0].OccurrenceMs);
        await stalled.FinishStalledEnsure();

        // Had the stale write gone through, that occurrence would be back in the scheduled set, and moved again
        // within the scheduler's sleep: wait past two more occurrences, on Redis's clock.
        var until = await RedisNowMs() + 2500;
        await Eventually.True(async () => await RedisNowMs() > until, "Redis's clock 2.5 s on");
        var occurrences = (await ReadyFired(name)).Select(f => f.OccurrenceMs).ToList();
        Assert.Equal(occurrences.Distinct().Order(), occurrences);
        Assert.All(occurrences.Zip(occurrences.Skip(1)), p => Assert.Equal(1000, p.Second - p.First));
        Assert.True(await Queue(name).RemoveRecurring("job"));
    }

    [Fact]
    public async Task BadArguments_AreTypedErrorsThatSayWhatToDo_AndRedisIsUntouched()
    {
        var name = RmqClusterFixture.UniqueName("rec-bad");
        var queue = Queue(name);
        var every = RecurringSchedule.Every(TimeSpan.FromSeconds(5));
        async Task Rejects<T>(Func<Task> call, params string[] words) where T : ArgumentException
        {
            var e = await Assert.ThrowsAnyAsync<T>(call);
            foreach (var word in words) Assert.Contains(word, e.Message);
        }
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("j", RecurringSchedule.Cron("every day"), "p"), "cron expression 'every day' is not valid", "5 fields");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("j", RecurringSchedule.Cron("61 * * * *"), "p"), "not valid");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("j", RecurringSchedule.Cron("0 0 30 2 *"), "p"), "schedule");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("j", RecurringSchedule.Cron("0 9 * * *", "Mars/Olympus_Mons"), "p"), "TimeZoneId 'Mars/Olympus_Mons'", "Europe/Berlin");
        await Rejects<ArgumentOutOfRangeException>(() => queue.ScheduleRecurring("j", RecurringSchedule.Every(TimeSpan.FromMilliseconds(999)), "p"), "at least 1 s");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("j", new RecurringSchedule(), "p"), "either a cron expression or an interval");
        await Rejects<ArgumentNullException>(() => queue.ScheduleRecurring("j", null!, "p"), "schedule");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("", every, "p"), "name must be 1 to 64 characters");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring(new string('n', RecurringJob.MaxNameLength + 1), every, "p"), "1 to 64");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurring("a:b", every, "p"), "contains ':'", "letters, digits");
        await Rejects<ArgumentNullException>(() => queue.ScheduleRecurring(null!, every, "p"), "name");
        await Rejects<ArgumentNullException>(() => queue.ScheduleRecurring("j", every, null!), "payload");
        await Rejects<ArgumentException>(() => queue.ScheduleRecurringBytes("j", every, new byte[RmqClusterFixture.MaxPayloadBytes]), "Rmq:MaxPayloadBytes", "rmq header");
        await Rejects<ArgumentNullException>(() => queue.ScheduleRecurringWithHeaders("j", every, "p", null!), "headers");
        await Rejects<ArgumentException>(() => queue.RemoveRecurring("a b"), "contains ' '");
        await Rejects<ArgumentException>(() => Queue("bad[name").ListRecurring(), "Invalid queue name");

        foreach (var key in new RedisKey[] { Keys.Recurring(name), Keys.RecurringElements(name), Keys.RecurringState(name), Keys.Scheduled(name), Keys.ScheduledElements(name), Keys.Ready(name) })
            Assert.False(await Db.KeyExistsAsync(key), $"{key} after refused calls");
        Assert.False(await Db.SetContainsAsync(RedisKeys.RecurringQueues, name));
        Assert.False(await Db.SetContainsAsync(RedisKeys.ScheduledQueues, name));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Queues, name));
        // The limits themselves are accepted.
        await queue.ScheduleRecurring(new string('n', RecurringJob.MaxNameLength), RecurringSchedule.Every(RecurringJob.MinInterval), "p");
        Assert.True(await queue.RemoveRecurring(new string('n', RecurringJob.MaxNameLength)));
    }

    [Fact]
    public async Task TheRecurringKeys_AreInTheQueuesHashSlot_NamedAsDocumented_AndCountedInTheOverview()
    {
        var name = RmqClusterFixture.UniqueName("rec-k");
        var queue = Queue(name);
        await queue.ScheduleRecurring("k", RecurringSchedule.Cron("0 0 1 1 *"), "p");
        var tag = Fixture.Dialect == KeyDialect.Cluster ? $"{{{name}}}" : $"[{name}]";
        Assert.Equal($"rmq::queue::{tag}::rmq-recurring", (string)Keys.Recurring(name)!);
        Assert.Equal($"rmq::queue::{tag}::rmq-recurring-elements", (string)Keys.RecurringElements(name)!);
        Assert.Equal($"rmq::queue::{tag}::rmq-recurring-state", (string)Keys.RecurringState(name)!);
        Assert.Equal("rmq::rmq-recurring-queues", (string)RedisKeys.RecurringQueues!);
        foreach (var key in new[] { Keys.Recurring(name), Keys.RecurringElements(name), Keys.RecurringState(name) })
            Assert.Equal(RedisType.Hash, await Db.KeyTypeAsync(key));
        Assert.Equal("p", (string?)await Db.HashGetAsync(Keys.RecurringElements(name), "k"));
        if (Fixture.Dialect == KeyDialect.Cluster)
        {
            var slot = Fixture.Multiplexer.HashSlot(Keys.Ready(name));
            Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.Recurring(name)));
            Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.RecurringElements(name)));
            Assert.Equal(slot, Fixture.Multiplexer.HashSlot(Keys.RecurringState(name)));
        }
        var overview = await Fixture.Grains.GetGrain<IStatsGrain>(0).GetOverview();
        var entry = overview.Queues.Single(q => q.Name == name);
        Assert.Equal((1L, 1L), (entry.RecurringCount, entry.ScheduledCount));
        Assert.True(await queue.RemoveRecurring("k"));
    }
}

[Collection(ClassicCollection.Name)]
public sealed class RecurringTests_Classic(ClassicClusterFixture fixture) : RecurringTests(fixture);

[Collection(ClusterDialectCollection.Name)]
public sealed class RecurringTests_ClusterDialect(ClusterDialectClusterFixture fixture) : RecurringTests(fixture);
