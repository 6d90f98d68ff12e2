using Rmq.Demo;
using Rmq.Publishing;

namespace Rmq.Host.Tests.Security;

/// <summary>
/// A silo runs as a Redis ACL user limited to Rmq's keys, channels and commands (docs/security.md's
/// <c>ACL SETUSER</c> line): publishing, consuming, stats and the cleaner all work, and Redis denies it
/// nothing but the <c>CONFIG GET</c> StackExchange.Redis tries at connect. A wrong password stops the silo.
/// </summary>
[Collection(AclRedisCollection.Name)]
public sealed class RedisAclTests(AclRedisFixture fixture)
{
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private IDatabase Db => fixture.Db;

    [Fact]
    public async Task ASiloAsTheRestrictedUser_PublishesConsumesReportsAndCleans_AndIsDeniedNothingElse()
    {
        // Other tests of the collection try wrong passwords on purpose: only what happens from here on counts.
        await Db.ExecuteAsync("ACL", "LOG", "RESET");
        await using var client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Redis;
            o.RedisConnectionString = fixture.ConnectionString;
            o.ClusterId = fixture.ClusterId;
        }, retryFor: TimeSpan.FromSeconds(30));
        var relayed = SingleSiloFixture.UniqueName("acl-relay");
        var copies = SingleSiloFixture.UniqueName("acl-copy");
        var judged = SingleSiloFixture.UniqueName("acl-judge");

        // Consuming: a relay consumer (copies each delivery into another queue) and the demo batch consumer (rejects "bad…").
        var relay = client.Queue(relayed);
        await relay.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(50));
        await relay.AddConsumer("relay", client.Grains.GetGrain<IRelayConsumerGrain>(0, copies));
        var judge = client.Queue(judged);
        // A retry policy: "flaky…" is retried once through the scheduled set (outcome script, scheduler, counters).
        await judge.SetRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50), 2, TimeSpan.FromSeconds(1), 0));
        await judge.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(50));
        await judge.AddBatchConsumer("demo", client.Grains.GetGrain<IDemoBatchConsumerGrain>(0), batchSize: 5, batchTimeout: TimeSpan.FromMilliseconds(100));

        // Publishing three ways: the direct publisher (LPUSH and a wake), the grain, the CLI.
        await using (var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = fixture.ConnectionString))
        {
            await publisher.Queue(relayed).PublishBatch(["direct-1", "direct-2"]);
            await publisher.Queue(judged).PublishBatch(["ok-1", "bad-1", "flaky-1"]);
        }
        await relay.Publish("grain-1");
        var cli = await Cli("publish", relayed, "cli-1");
        Assert.True(cli.ExitCode == 0, cli.ToString());

        await Eventually.Equal(4L, () => Db.ListLengthAsync(_keys.Ready(copies)), "deliveries relayed", seconds: 30);
        await Eventually.Equal((0L, 0L, 1L), async () =>
        {
            var s = await judge.GetStats();
            return (s.ReadyCount, s.UnackedCount, s.RejectedCount);
        }, "ready, unacked and rejected of the judged queue", seconds: 30);
        Assert.Equal("bad-1", (string?)await Db.ListGetByIndexAsync(_keys.Rejected(judged), 0));
        await Eventually.Equal(1L, async () => (await judge.GetStats()).RetriedCount, "flaky-1 retried once", seconds: 30);
        Assert.Equal(0L, (await judge.GetStats()).ScheduledCount);
        // ReturnRejected through the CLI (reads rejected, moves with a script); the consumer rejects it again.
        var returned = await Cli("return", "rejected", judged);
        Assert.True(returned.ExitCode == 0, returned.ToString());
        await Eventually.Equal((0L, 0L, 1L), async () =>
        {
            var s = await judge.GetStats();
            return (s.ReadyCount, s.UnackedCount, s.RejectedCount);
        }, "the returned delivery rejected again", seconds: 30);

        // The cleaner: a dead Go rmq connection (no heartbeat) holding one unacked delivery of the relayed queue.
        const string dead = "go-consumer-dead01";
        await Db.SetAddAsync(RedisKeys.Connections, dead);
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(dead), relayed);
        await Db.ListLeftPushAsync(_keys.Unacked(dead, relayed), "left-by-a-dead-consumer");
        var clean = await Cli("clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal("returned 1 unacked delivery of dead connections to ready", clean.StdOut.Trim());
        await Eventually.Equal(5L, () => Db.ListLengthAsync(_keys.Ready(copies)), "the cleaned delivery consumed too", seconds: 30);
        var payloads = (await Db.ListRangeAsync(_keys.Ready(copies))).Select(v => RelayedCopies.Decode((byte[])v!).Payload).Order().ToArray();
        Assert.Equal(["cli-1", "direct-1", "direct-2", "grain-1", "left-by-a-dead-consumer"], payloads);

        // Stats: the grain, the stats grain, the CLI and the HTTP endpoints.
        var overview = await client.Grains.GetGrain<IStatsGrain>(0).GetOverview();
        Assert.Contains(overview.Queues, q => q.Name == copies && q.ReadyCount == 5);
        var stats = await Cli("stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains($"\"name\":\"{copies}\"", stats.StdOut.Replace(" ", ""));
        Assert.Contains($"\"name\":\"{copies}\"", await fixture.Silo.GetStringAsync("stats.json"));
        var metrics = PrometheusText.Parse(await fixture.Silo.GetStringAsync("metrics"));
        Assert.Equal(5, metrics.Value("rmq_queue_ready", copies));
        Assert.Equal(1, metrics.Value("rmq_queue_retried_total", judged));
        Assert.Equal(0, metrics.Value("rmq_queue_dead_lettered_total", judged));
        Assert.Equal(0, metrics.Value("rmq_queue_scheduled", judged));
        Assert.Equal("healthy", (await fixture.Silo.GetHealthAsync())?.Status);

        // Nothing the silo, the client, the publisher or the CLI needed was refused, except StackExchange.Redis's CONFIG GET.
        var denials = await fixture.DenialsAsync();
        Assert.True(denials.All(d => d.StartsWith("command toplevel config|get", StringComparison.Ordinal)),
            $"Redis refused the rmq user:\n{string.Join('\n', denials)}");
    }

    [Fact]
    public async Task AWrongPassword_StopsTheSiloAtStart_WithExit2_NamingTheSetting()
    {
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", $"{fixture.Redis.Endpoint},user=rmq,password={AclRedisFixture.WrongPassword}"]);
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.StartsWith("rmq silo: Invalid setting: Rmq:RedisConnectionString: Redis at", exit.StdErr);
        Assert.Contains("refused the credentials", exit.StdErr);
        Assert.DoesNotContain(AclRedisFixture.WrongPassword, exit.All);
    }

    [Fact]
    public async Task AWrongPassword_WhereRedissDefaultUserIsOpen_StillStopsTheSilo_InsteadOfRunningAsDefault()
    {
        // StackExchange.Redis goes on as 'default' when AUTH is refused; on this server that user may do anything.
        await using var open = await RedisServer.StartAsync();
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(open.Endpoint))
            await RmqAclUser.CreateAsync(admin.GetDatabase(), "rmq", AclRedisFixture.Password);

        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", $"{open.Endpoint},user=rmq,password={AclRedisFixture.WrongPassword}"]);
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.StartsWith("rmq silo: Invalid setting: Rmq:RedisConnectionString: Redis at", exit.StdErr);
        Assert.Contains("refused user 'rmq' with the configured password (the connection fell back to user 'default')", exit.StdErr);
        Assert.DoesNotContain(AclRedisFixture.WrongPassword, exit.All);

        // The right password on the same server is accepted: the check compares users, it does not refuse open servers.
        await using var silo = SiloProcess.Start("acl-open", $"{open.Endpoint},user=rmq,password={AclRedisFixture.Password}");
        await silo.WaitHealthyAsync();
    }

    [Fact]
    public async Task TheSecurityPage_DocumentsExactlyTheAclLineTheseTestsUse()
    {
        var page = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "security.md"));
        Assert.Contains(RmqAclUser.DocumentedLine, page);
    }

    private Task<CliRunner.Result> Cli(params string[] args) =>
        CliRunner.RunAsync(["--redis", fixture.ConnectionString, "--cluster-id", fixture.ClusterId, .. args]);
}
