using System.Text;
using System.Text.Json;

namespace Rmq.Host.Tests;

/// <summary>The <c>rmq</c> tool run as a shell user would, against the real silo process; Redis is checked directly.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class CliTests(SingleSiloFixture fixture)
{
    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    [Fact]
    public async Task Publish_ThenStats_ThenDrain_MoveDeliveriesAsRedisShows()
    {
        var queue = SingleSiloFixture.UniqueName("cli");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "line one\nline two\nline three\n");
        try
        {
            var single = await CliRunner.RunAsync(fixture.Silo, "publish", queue, "first payload");
            Assert.True(single.ExitCode == 0, single.ToString());
            Assert.Equal($"published 1 delivery to '{queue}'", single.StdOut.Trim());

            var lines = await CliRunner.RunAsync(fixture.Silo, "publish", queue, "--file", file, "--lines");
            Assert.True(lines.ExitCode == 0, lines.ToString());
            Assert.Equal($"published 3 deliveries to '{queue}'", lines.StdOut.Trim());
            Assert.Equal(4, await Db.ListLengthAsync(Keys.Ready(queue)));
            // Consumption order is from the right: first published first.
            Assert.Equal("first payload", (string?)await Db.ListGetByIndexAsync(Keys.Ready(queue), -1));
            Assert.Equal("line one", (string?)await Db.ListGetByIndexAsync(Keys.Ready(queue), -2));

            await Db.ListLeftPushAsync(Keys.Rejected(queue), ["r1", "r2"]);
            var stats = await CliRunner.RunAsync(fixture.Silo, "stats");
            Assert.True(stats.ExitCode == 0, stats.ToString());
            var row = stats.StdOut.Split('\n').Single(l => l.Trim().StartsWith(queue + " ", StringComparison.Ordinal));
            Assert.Equal([queue, "4", "2", "0", "0", "0"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));

            var json = await CliRunner.RunAsync(fixture.Silo, "stats", "--json");
            Assert.True(json.ExitCode == 0, json.ToString());
            using var document = JsonDocument.Parse(json.StdOut);
            var entry = document.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
            Assert.Equal(4, entry.GetProperty("readyCount").GetInt64());
            Assert.Equal(2, entry.GetProperty("rejectedCount").GetInt64());

            var drain = await CliRunner.RunAsync(fixture.Silo, "drain", queue, "-n", "2");
            Assert.True(drain.ExitCode == 0, drain.ToString());
            Assert.Equal("first payload\nline one\n", drain.StdOut);
            Assert.Equal($"drained 2 of 2 requested from '{queue}'", drain.StdErr.Trim());
            Assert.Equal(2, await Db.ListLengthAsync(Keys.Ready(queue)));

            var rest = await CliRunner.RunAsync(fixture.Silo, "drain", queue, "-n", "10");
            Assert.True(rest.ExitCode == 0, rest.ToString());
            Assert.Equal("line two\nline three\n", rest.StdOut);
            Assert.Equal($"drained 2 of 10 requested from '{queue}'", rest.StdErr.Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Publish_WithHeadersAndFromStdin_WritesGoRmqsHeaderFormat()
    {
        var queue = SingleSiloFixture.UniqueName("cli-h");
        var result = await CliRunner.RunAsync(["--gateway-port", fixture.Silo.GatewayPort.ToString(), "publish", queue, "--file", "-", "-H", "tenant=acme", "-H", "tenant=beta"], stdin: "from stdin");
        Assert.True(result.ExitCode == 0, result.ToString());
        var raw = (byte[])(await Db.ListGetByIndexAsync(Keys.Ready(queue), 0))!;
        // Go rmq's header: FF 00 BE BE 4A, compact JSON of map[string][]string, a line feed, the payload.
        Assert.Equal([0xFF, 0x00, 0xBE, 0xBE, 0x4A], raw[..5]);
        Assert.Equal("{\"tenant\":[\"acme\",\"beta\"]}\nfrom stdin", Encoding.UTF8.GetString(raw[5..]));
    }

    [Fact]
    public async Task StatsWatch_RedrawsWithWhatChangedInRedis_UntilStopped()
    {
        var queue = SingleSiloFixture.UniqueName("cli-w");
        await Db.ListLeftPushAsync(Keys.Ready(queue), "one");
        await Db.SetAddAsync(RedisKeys.Queues, queue);
        var (process, output) = SiloProcess.Launch(RepoPaths.CliDll, ["--gateway-port", fixture.Silo.GatewayPort.ToString(), "stats", "--watch", "--interval", "0.3"]);
        using (process)
        {
            try
            {
                await Eventually.True(() => Task.FromResult(ReadyShown(output.StdOut, queue, "1")), "the first table", seconds: 30);
                await Db.ListLeftPushAsync(Keys.Ready(queue), ["two", "three"]);
                await Eventually.True(() => Task.FromResult(ReadyShown(output.StdOut, queue, "3")), "a redrawn table with the new count", seconds: 30);
                // SIGTERM (or Ctrl-C) is how --watch ends: cleanly, with exit code 0.
                Signals.Terminate(process.Id);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{output.All}");
            }
            finally
            {
                if (!process.HasExited) process.Kill();
            }
        }
    }

    private static bool ReadyShown(string stdout, string queue, string ready) =>
        stdout.Split('\n').Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var name, var count, ..] && name == queue && count == ready);

    [Fact]
    public async Task PurgeAndReturn_ChangeTheListsAndSayHowMany()
    {
        var queue = SingleSiloFixture.UniqueName("cli-p");
        await Db.ListLeftPushAsync(Keys.Ready(queue), ["a", "b", "c"]);
        await Db.ListLeftPushAsync(Keys.Rejected(queue), ["x", "y", "z", "w"]);
        await Db.SetAddAsync(RedisKeys.Queues, queue);

        var back = await CliRunner.RunAsync(fixture.Silo, "return", "rejected", queue, "-n", "1");
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal($"returned 1 rejected delivery of '{queue}' to ready", back.StdOut.Trim());
        Assert.Equal(4, await Db.ListLengthAsync(Keys.Ready(queue)));
        Assert.Equal(3, await Db.ListLengthAsync(Keys.Rejected(queue)));

        var all = await CliRunner.RunAsync(fixture.Silo, "return", "rejected", queue);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal($"returned 3 rejected deliveries of '{queue}' to ready", all.StdOut.Trim());

        var purge = await CliRunner.RunAsync(fixture.Silo, "purge", "ready", queue);
        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.Equal($"purged 7 ready deliveries from '{queue}'", purge.StdOut.Trim());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready(queue)));

        await Db.ListLeftPushAsync(Keys.Rejected(queue), "again");
        var purgeRejected = await CliRunner.RunAsync(fixture.Silo, "purge", "rejected", queue);
        Assert.True(purgeRejected.ExitCode == 0, purgeRejected.ToString());
        Assert.Equal($"purged 1 rejected delivery from '{queue}'", purgeRejected.StdOut.Trim());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Rejected(queue)));
    }

    [Fact]
    public async Task PauseAndResume_PauseAConsumingQueue_AndSayWhenItIsNotConsuming()
    {
        var queue = SingleSiloFixture.UniqueName("cli-pz");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);

        var notConsuming = await CliRunner.RunAsync(fixture.Silo, "pause", queue);
        Assert.True(notConsuming.ExitCode == 1, notConsuming.ToString());
        Assert.Contains($"Queue '{queue}' is not consuming; call StartConsuming before Pause", notConsuming.StdErr);
        Assert.False(await Db.KeyExistsAsync(Keys.ConsumingConfig(queue)));

        await grain.StartConsuming(5, TimeSpan.FromMilliseconds(20));
        var pause = await CliRunner.RunAsync(fixture.Silo, "pause", queue);
        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Equal($"paused '{queue}'", pause.StdOut.Trim());
        Assert.Equal(ConsumingState.Paused, (await grain.GetConsumingStatus()).State);
        Assert.Equal("1", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(queue), "paused"));
        var stats = await CliRunner.RunAsync(fixture.Silo, "stats");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains("paused (rmq resume)", stats.StdOut);

        var resume = await CliRunner.RunAsync(fixture.Silo, "resume", queue);
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Equal($"resumed '{queue}'", resume.StdOut.Trim());
        Assert.Equal(ConsumingState.Consuming, (await grain.GetConsumingStatus()).State);
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(queue), "paused"));
        await grain.StopConsuming();
    }

    [Fact]
    public async Task ConsumingAndRemoveConsumer_ChangeTheSettings_AndRemoveOneConsumer_SayingWhatHappened()
    {
        var queue = SingleSiloFixture.UniqueName("cli-cs");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);
        var notConsuming = await CliRunner.RunAsync(fixture.Silo, "consuming", queue, "--prefetch", "20", "--poll", "50");
        Assert.True(notConsuming.ExitCode == 1, notConsuming.ToString());
        Assert.Contains($"Queue '{queue}' is not consuming; call StartConsuming before UpdateConsuming", notConsuming.StdErr);

        await grain.StartConsuming(5, TimeSpan.FromMilliseconds(20));
        var first = await grain.AddConsumer("cli", fixture.Client.Grains.GetGrain<Rmq.Demo.IDemoConsumerGrain>(3300));
        await grain.AddConsumer("cli", fixture.Client.Grains.GetGrain<Rmq.Demo.IDemoConsumerGrain>(3301));
        var update = await CliRunner.RunAsync(fixture.Silo, "consuming", queue, "--prefetch", "20", "--poll", "50");
        Assert.True(update.ExitCode == 0, update.ToString());
        Assert.Equal($"'{queue}' consumes with prefetch 20 and poll 50 ms", update.StdOut.Trim());
        Assert.Equal("20", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(queue), "prefetch"));
        Assert.Equal("50", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(queue), "poll-ms"));
        var bad = await CliRunner.RunAsync(fixture.Silo, "consuming", queue, "--prefetch", "0", "--poll", "50");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("prefetchLimit must be at least 1", bad.StdErr);

        var removed = await CliRunner.RunAsync(fixture.Silo, "remove-consumer", queue, first);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal($"removed consumer '{first}' of '{queue}'", removed.StdOut.Trim());
        Assert.Equal(1, (await grain.GetConsumingStatus()).Consumers);
        Assert.Equal(1, await Db.HashLengthAsync(Keys.ConsumerGrains(queue)));
        var again = await CliRunner.RunAsync(fixture.Silo, "remove-consumer", queue, first);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains($"'{queue}' has no consumer '{first}'", again.StdOut + again.StdErr);
        await grain.StopConsuming();
    }

    [Fact]
    public async Task Jobs_ListsALongRunningJobWithItsProgress_AndCancelStopsIt_IntoRejected()
    {
        var queue = SingleSiloFixture.UniqueName("cli-jobs");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);
        await grain.StartConsuming(5, TimeSpan.FromMilliseconds(20));
        var consumer = await grain.AddLongRunningConsumer("cli", fixture.Client.Grains.GetGrain<Rmq.Demo.IDemoJobGrain>(3400));
        var none = await CliRunner.RunAsync(fixture.Silo, "jobs", queue);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal($"'{queue}' has no long-running jobs in flight", none.StdOut.Trim());

        await grain.Publish("60000:report");
        await Eventually.True(async () => (await grain.GetJobsInFlight()).SingleOrDefault()?.Progress is not null, "the job reported progress", 15);
        var id = (await grain.GetJobsInFlight()).Single().DeliveryId;
        var list = await CliRunner.RunAsync(fixture.Silo, "jobs", queue);
        Assert.True(list.ExitCode == 0, list.ToString());
        var row = list.StdOut.Split('\n').Single(l => l.Trim().StartsWith(id + " ", StringComparison.Ordinal));
        Assert.Contains(consumer, row);
        Assert.Matches(@"\d+ % \d+\.\d s of 60\.0 s", row);

        var cancel = await CliRunner.RunAsync(fixture.Silo, "jobs", "cancel", queue, id.ToString());
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"asked the job of delivery {id} of '{queue}' to stop", cancel.StdOut.Trim());
        await Eventually.Equal(1L, () => Db.ListLengthAsync(Keys.Rejected(queue)), "rejected", 15);
        Assert.True(HeaderCodec.TryDecode((byte[])(await Db.ListGetByIndexAsync(Keys.Rejected(queue), 0))!, out var headers, out var payload, out _));
        Assert.Equal([DeadLetterHeaders.Cancelled], headers[DeadLetterHeaders.Reason]);
        Assert.Equal("60000:report"u8.ToArray(), payload);
        var again = await CliRunner.RunAsync(fixture.Silo, "jobs", "cancel", queue, id.ToString());
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains($"'{queue}' has no long-running job in flight with delivery id {id}", again.StdErr);
        await grain.StopConsuming();
    }

    [Fact]
    public async Task RetryPolicy_ShowsSetsChangesOneFieldAndRemoves_AndRefusesAnOutOfRangeValueSayingWhy()
    {
        var queue = SingleSiloFixture.UniqueName("cli-rp");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);

        var none = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal($"'{queue}' has no retry policy", none.StdOut.Trim());

        // Fields not given take the defaults; later, the current values.
        var set = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--max-attempts", "5", "--initial-backoff", "00:00:02");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal($"retry policy of '{queue}': 5 attempts, backoff 00:00:02 × 2 up to 00:10:00, jitter 0.2", set.StdOut.Trim());
        Assert.Equal(new RetryPolicy(5, TimeSpan.FromSeconds(2), 2, TimeSpan.FromMinutes(10), 0.2), await grain.GetRetryPolicy());
        var changed = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--jitter", "0");
        Assert.True(changed.ExitCode == 0, changed.ToString());
        Assert.Equal(new RetryPolicy(5, TimeSpan.FromSeconds(2), 2, TimeSpan.FromMinutes(10), 0), await grain.GetRetryPolicy());
        var show = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue);
        Assert.Equal($"retry policy of '{queue}': 5 attempts, backoff 00:00:02 × 2 up to 00:10:00, jitter 0", show.StdOut.Trim());

        // Exception types never retried: the list is replaced when given, kept when another field changes.
        var never = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--never-retry", "System.FormatException", "--never-retry", "System.TimeoutException");
        Assert.True(never.ExitCode == 0, never.ToString());
        Assert.Equal($"retry policy of '{queue}': 5 attempts, backoff 00:00:02 × 2 up to 00:10:00, jitter 0; never retried: System.FormatException, System.TimeoutException", never.StdOut.Trim());
        var kept = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--max-attempts", "6");
        Assert.True(kept.ExitCode == 0, kept.ToString());
        Assert.Equal(["System.FormatException", "System.TimeoutException"], (await grain.GetRetryPolicy())!.NeverRetry);
        var badType = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--never-retry", "not a type");
        Assert.True(badType.ExitCode == 2, badType.ToString());
        Assert.Contains("each entry must be an exception type's full name", badType.StdErr);
        var emptied = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--never-retry", "none");
        Assert.True(emptied.ExitCode == 0, emptied.ToString());
        Assert.Empty((await grain.GetRetryPolicy())!.NeverRetry);

        var bad = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--max-attempts", "0");
        Assert.True(bad.ExitCode == 2, bad.ToString()); // bad input, as every argument the grain refuses
        Assert.Contains("RetryPolicy.MaxAttempts must be 1 to 1000", bad.StdErr);
        Assert.Equal(6, (await grain.GetRetryPolicy())!.MaxAttempts);
        var both = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--remove", "--jitter", "0.1");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("--remove takes no other option", both.StdErr + both.StdOut);

        var remove = await CliRunner.RunAsync(fixture.Silo, "retry-policy", queue, "--remove");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal($"removed the retry policy of '{queue}'", remove.StdOut.Trim());
        Assert.Null(await grain.GetRetryPolicy());
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(queue), "retry"));
    }

    [Fact]
    public async Task Limits_ShowsSetsOneLimitKeepsTheOtherAndRemoves_AndRefusesBadInputSayingWhy()
    {
        var queue = SingleSiloFixture.UniqueName("cli-lim");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);

        var none = await CliRunner.RunAsync(fixture.Silo, "limits", queue);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal($"'{queue}' has no flow limits", none.StdOut.Trim());

        var rate = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--rate", "100/s");
        Assert.True(rate.ExitCode == 0, rate.ToString());
        Assert.Equal($"flow limits of '{queue}': rate 100/s", rate.StdOut.Trim());
        var both = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--concurrency", "5");
        Assert.True(both.ExitCode == 0, both.ToString());
        Assert.Equal(new FlowLimits { Rate = new RateLimit(100, TimeSpan.FromSeconds(1)), MaxConcurrency = 5 }, await grain.GetFlowLimits());
        Assert.Equal("v1;100;1000;5", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(queue), "limits"));
        var show = await CliRunner.RunAsync(fixture.Silo, "limits", queue);
        Assert.Equal($"flow limits of '{queue}': rate 100/s, concurrency 5", show.StdOut.Trim());
        var oneGone = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--rate", "none");
        Assert.True(oneGone.ExitCode == 0, oneGone.ToString());
        Assert.Equal(new FlowLimits { MaxConcurrency = 5 }, await grain.GetFlowLimits());

        var badRate = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--rate", "fast");
        Assert.True(badRate.ExitCode == 2, badRate.ToString());
        Assert.Contains("'fast' is not a rate limit: write deliveries/window, such as 100/s", badRate.StdErr);
        var zero = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--rate", "0/s");
        Assert.True(zero.ExitCode == 2, zero.ToString());
        Assert.Contains("A rate limit allows 1 to 100,000 deliveries per window; 0 is out of range.", zero.StdErr);
        var badConcurrency = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--concurrency", "0");
        Assert.True(badConcurrency.ExitCode == 2, badConcurrency.ToString());
        Assert.Contains("--concurrency: '0' is not a number of deliveries from 1 to 100,000 (or none).", badConcurrency.StdErr);
        var mixed = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--remove", "--rate", "1/s");
        Assert.True(mixed.ExitCode == 2, mixed.ToString());
        Assert.Contains("--remove takes no other option", mixed.StdErr);
        Assert.Equal(new FlowLimits { MaxConcurrency = 5 }, await grain.GetFlowLimits());

        var remove = await CliRunner.RunAsync(fixture.Silo, "limits", queue, "--remove");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal($"removed the flow limits of '{queue}'", remove.StdOut.Trim());
        Assert.Null(await grain.GetFlowLimits());
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(queue), "limits"));
    }

    [Fact]
    public async Task DeadLetters_ShowsSetsAndRemovesTheHandler_AndRefusesATextThatIsNotAGrainId()
    {
        var queue = SingleSiloFixture.UniqueName("cli-dl");
        var grain = fixture.Client.Grains.GetGrain<IQueueGrain>(queue);

        var none = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal($"'{queue}' has no dead-letter handler", none.StdOut.Trim());
        var set = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue, "--handler", "orderdeadletters/orders");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal($"dead letters of '{queue}' go to orderdeadletters/orders", set.StdOut.Trim());
        Assert.Equal("orderdeadletters/orders", (await grain.GetDeadLetterHandler())!.GetGrainId().ToString());
        Assert.Equal("orderdeadletters/orders", (string?)await Db.HashGetAsync(Keys.ConsumingConfig(queue), "dead-letter-handler"));
        var show = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue);
        Assert.Equal($"dead letters of '{queue}' go to orderdeadletters/orders", show.StdOut.Trim());

        var bad = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue, "--handler", "orders");
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("'orders' is not a grain id: write the grain type, '/', and the key", bad.StdErr);
        var both = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue, "--remove", "--handler", "a/b");
        Assert.True(both.ExitCode == 2, both.ToString());

        var remove = await CliRunner.RunAsync(fixture.Silo, "dead-letters", queue, "--remove");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal($"removed the dead-letter handler of '{queue}'", remove.StdOut.Trim());
        Assert.Null(await grain.GetDeadLetterHandler());
        Assert.False(await Db.HashExistsAsync(Keys.ConsumingConfig(queue), "dead-letter-handler"));
    }

    [Fact]
    public async Task Clean_ReturnsTheUnackedDeliveriesOfADeadGoRmqConnection()
    {
        var queue = SingleSiloFixture.UniqueName("cli-c");
        var dead = $"go-dead-{Guid.NewGuid():N}"[..14];
        // A Go rmq consumer that died: registered, consuming the queue, holding 2 unacked, no heartbeat.
        // Registered last, so a cleaner never sees it registered before its unacked list and queues set.
        await Db.SetAddAsync(RedisKeys.Queues, queue);
        await Db.ListLeftPushAsync(Keys.Unacked(dead, queue), ["held 1", "held 2"]);
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(dead), queue);
        await Db.SetAddAsync(RedisKeys.Connections, dead);

        var clean = await CliRunner.RunAsync(fixture.Silo, "clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        // The fixture's cleaner runs only when asked, so this pass is the one that returns them.
        Assert.Equal("returned 2 unacked deliveries of dead connections to ready", clean.StdOut.Trim());
        Assert.Equal(2, await Db.ListLengthAsync(Keys.Ready(queue)));
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Unacked(dead, queue)));
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, dead));
    }

    [Fact]
    public async Task Demo_ConsumesEverythingItPublished_AndPrintsTheCountsRedisHolds()
    {
        var demo = await CliRunner.RunAsync(fixture.Silo, "demo", "--messages", "1000");
        Assert.True(demo.ExitCode == 0, demo.ToString());
        Assert.Contains("Final stats (read from Redis)", demo.StdOut);
        // 1 in 100 payloads is "bad ..." and rejected by the demo consumers; the rest are acked.
        Assert.Matches(@"acked\s+│\s+990\s", demo.StdOut);
        Assert.Matches(@"rejected\s+│\s+10\s", demo.StdOut);
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready("rmq-demo")));
        Assert.Equal(0, await fixture.UnackedAsync("rmq-demo"));
        Assert.Equal(10, await Db.ListLengthAsync(Keys.Rejected("rmq-demo")));
    }

    [Fact]
    public async Task BadQueueName_ExitsWithUsageError_AndTouchesNothing()
    {
        var before = await Db.ExecuteAsync("DBSIZE");
        foreach (var args in new[] { new[] { "publish", "bad[name", "x" }, ["drain", "bad{name}", "-n", "1"], ["purge", "ready", ""], ["return", "rejected", new string('q', 201)] })
        {
            var result = await CliRunner.RunAsync(fixture.Silo, args);
            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("Invalid queue name", result.StdErr);
            Assert.Equal("", result.StdOut);
        }
        Assert.Equal((long)before, (long)await Db.ExecuteAsync("DBSIZE"));
    }

    [Fact]
    public async Task UsageErrors_ExitWith2_AndSayWhatIsWrong()
    {
        var unknown = await CliRunner.RunAsync(fixture.Silo, "frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("frobnicate", unknown.StdErr);
        Assert.Contains("rmq --help", unknown.StdErr);

        var zero = await CliRunner.RunAsync(fixture.Silo, "drain", "q", "-n", "0");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("-n is 0", zero.StdErr);

        var both = await CliRunner.RunAsync(fixture.Silo, "publish", "q", "payload", "--file", "/etc/hostname");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("either a payload argument or --file", both.StdErr);

        var missingFile = await CliRunner.RunAsync(fixture.Silo, "publish", "q", "--file", "/nonexistent/file");
        Assert.Equal(2, missingFile.ExitCode);
        Assert.Contains("cannot read --file '/nonexistent/file'", missingFile.StdErr);

        var help = await CliRunner.RunAsync(["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "stats", "publish", "drain", "purge", "return", "clean", "demo" }) Assert.Contains(command, help.StdOut);
    }

    [Fact]
    public async Task UnreachableSilo_ExitsWith3_NamingWhereItLooked()
    {
        var port = FreePorts.Next();
        var result = await CliRunner.RunAsync(["--gateway-port", port.ToString(), "stats"]);
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains($"no Rmq silo answers at 127.0.0.1:{port}", result.StdErr);
        Assert.Equal("", result.StdOut);

        var redis = await CliRunner.RunAsync(["--redis", fixture.Redis.Endpoint, "--cluster-id", "no-such-cluster", "publish", "q", "x"]);
        Assert.True(redis.ExitCode == 3, redis.ToString());
        Assert.Contains("no Rmq silo answers at the silos registered in Redis", redis.StdErr);
    }
}
