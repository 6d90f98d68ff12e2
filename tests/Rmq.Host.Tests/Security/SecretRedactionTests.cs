using Rmq.Demo;

namespace Rmq.Host.Tests.Security;

/// <summary>
/// The Redis password never appears: not in the silo's logs (Rmq at debug level, Orleans and ASP.NET at
/// information), not in its error messages, not in <c>/</c>, <c>/stats.json</c>, <c>/health</c> or
/// <c>/metrics</c>, not in what the <c>rmq</c> CLI prints. Every captured text is searched for it.
/// </summary>
[Collection(AclRedisCollection.Name)]
public sealed class SecretRedactionTests(AclRedisFixture fixture)
{
    private const string Password = AclRedisFixture.Password;
    private const string Wrong = AclRedisFixture.WrongPassword;

    [Fact]
    public async Task ThePassword_IsNotInTheSilosLogs_NorInItsHttpEndpoints()
    {
        var queue = SingleSiloFixture.UniqueName("redact");
        var published = await Cli("publish", queue, "something to report");
        Assert.True(published.ExitCode == 0, published.ToString());

        var texts = new Dictionary<string, string>();
        foreach (var path in new[] { "", "stats.json", "health", "metrics" })
        {
            using var response = await fixture.Silo.GetAsync(path);
            texts["/" + path] = await response.Content.ReadAsStringAsync();
        }
        Assert.Contains(queue, texts["/stats.json"]);
        Assert.Contains("\"healthy\"", texts["/health"]);
        // The host logs its Redis configuration once it is active, redacted.
        texts["silo output"] = fixture.Silo.Output.All;
        Assert.Contains($"user={AclRedisFixture.User},password=*****", texts["silo output"]);
        AssertNoSecret(texts);
    }

    [Fact]
    public async Task ThePassword_IsNotInTheCliOutput_NorInItsErrors()
    {
        var unreachable = FreePorts.Next();
        var runs = new Dictionary<string, CliRunner.Result>
        {
            ["stats"] = await Cli("stats"),
            ["stats --json"] = await Cli("stats", "--json"),
            ["publish"] = await Cli("publish", SingleSiloFixture.UniqueName("redact-cli"), "x"),
            ["unreachable Redis"] = await CliRunner.RunAsync(["--redis", $"127.0.0.1:{unreachable},user=rmq,password={Password},connectTimeout=2000", "stats"]),
            ["wrong password"] = await CliRunner.RunAsync(["--redis", $"{fixture.Redis.Endpoint},user=rmq,password={Wrong},connectTimeout=2000", "stats"]),
            ["URL form"] = await CliRunner.RunAsync(["--redis", $"rmq:{Password}@{fixture.Redis.Endpoint}", "stats"]),
        };
        Assert.True(runs["stats"].ExitCode == 0, runs["stats"].ToString());
        Assert.True(runs["publish"].ExitCode == 0, runs["publish"].ToString());
        Assert.True(runs["unreachable Redis"].ExitCode == 3, runs["unreachable Redis"].ToString());
        Assert.Contains($"127.0.0.1:{unreachable}", runs["unreachable Redis"].StdErr);
        Assert.True(runs["wrong password"].ExitCode == 3, runs["wrong password"].ToString());
        Assert.True(runs["URL form"].ExitCode == 2, runs["URL form"].ToString());
        Assert.Contains("URL form", runs["URL form"].StdErr);
        AssertNoSecret(runs.ToDictionary(r => "rmq " + r.Key, r => r.Value.ToString()));
    }

    [Fact]
    public async Task ThePassword_IsNotInTheMessages_OfASiloThatCannotStart()
    {
        var exits = new Dictionary<string, SiloRun.Exit>
        {
            ["unreachable Redis"] = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", $"127.0.0.1:{FreePorts.Next()},user=rmq,password={Password}"]),
            ["wrong password"] = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", $"{fixture.Redis.Endpoint},user=rmq,password={Wrong}"]),
            ["URL form"] = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", $"rmq:{Password}@{fixture.Redis.Endpoint}"]),
            ["URL form, Redis clustering"] = await SiloRun.UntilExitAsync(["--Silo:Clustering", "Redis", "--Silo:ClusteringRedis", $"redis://rmq:{Password}@{fixture.Redis.Endpoint}"]),
        };
        Assert.True(exits["unreachable Redis"].ExitCode == 1, exits["unreachable Redis"].ToString());
        Assert.True(exits["wrong password"].ExitCode == 2, exits["wrong password"].ToString());
        Assert.True(exits["URL form"].ExitCode == 2, exits["URL form"].ToString());
        Assert.Contains("Rmq:RedisConnectionString has an endpoint in URL form", exits["URL form"].StdErr);
        Assert.True(exits["URL form, Redis clustering"].ExitCode == 2, exits["URL form, Redis clustering"].ToString());
        Assert.Contains("Silo:ClusteringRedis has an endpoint in URL form", exits["URL form, Redis clustering"].StdErr);
        AssertNoSecret(exits.ToDictionary(e => "silo, " + e.Key, e => e.Value.All));
    }

    [Fact]
    public async Task WhenRedisGoesAway_TheHealthStatsAndLogs_SayWhereWithoutThePassword()
    {
        await using var redis = await RedisServer.StartAsync();
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
            await RmqAclUser.CreateAsync(admin.GetDatabase(), AclRedisFixture.User, Password);
        await using var silo = SiloProcess.Start("redact-down", $"{redis.Endpoint},user={AclRedisFixture.User},password={Password},connectTimeout=1000",
            "--Logging:LogLevel:Default", "Information", "--Logging:LogLevel:Rmq", "Debug");
        await silo.WaitHealthyAsync();
        await using (var client = await RmqClient.ConnectAsync(o => o.GatewayPort = silo.GatewayPort))
        {
            var queue = client.Queue(SingleSiloFixture.UniqueName("redact-down"));
            await queue.StartConsuming(prefetchLimit: 5, pollInterval: TimeSpan.FromMilliseconds(50));
            await queue.AddConsumer("demo", client.Grains.GetGrain<IDemoConsumerGrain>(0));
            await queue.Publish("before the outage");
        }

        await redis.StopAsync();
        await Eventually.True(async () => (await silo.GetHealthAsync())?.Status == "unhealthy", "the silo reports Redis gone", seconds: 30);
        var texts = new Dictionary<string, string>();
        foreach (var path in new[] { "", "stats.json", "health", "metrics" })
        {
            using var response = await silo.GetAsync(path);
            texts["/" + path] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
        Assert.StartsWith("503 ", texts["/health"]);
        Assert.Contains(redis.Endpoint, texts["/health"]);
        Assert.StartsWith("503 ", texts["/stats.json"]);
        // A few heartbeats fail meanwhile, each logged with its exception.
        await Task.Delay(TimeSpan.FromSeconds(3));
        texts["silo output"] = silo.Output.All;
        AssertNoSecret(texts);
    }

    private static void AssertNoSecret(IReadOnlyDictionary<string, string> texts)
    {
        foreach (var (where, text) in texts)
        {
            Assert.False(text.Contains(Password, StringComparison.Ordinal), $"the password appears in {where}:\n{text}");
            Assert.False(text.Contains(Wrong, StringComparison.Ordinal), $"the wrong password appears in {where}:\n{text}");
        }
    }

    private Task<CliRunner.Result> Cli(params string[] args) =>
        CliRunner.RunAsync(["--redis", fixture.ConnectionString, "--cluster-id", fixture.ClusterId, .. args]);
}
