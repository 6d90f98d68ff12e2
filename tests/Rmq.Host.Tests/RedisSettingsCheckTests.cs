namespace Rmq.Host.Tests;

/// <summary>
/// The Redis settings the real silo process checks at start, on real redis-servers: an evicting
/// <c>maxmemory-policy</c> stops it with exit code 2 (unless allowed), AOF off is a warning, a Redis that refuses
/// <c>INFO</c> is started against with a note, and the embedded default starts without complaint.
/// </summary>
public sealed class RedisSettingsCheckTests(ITestOutputHelper output)
{
    private const string AofWarning = "has the append-only file off";

    [Fact]
    public async Task AnEvictingMaxmemoryPolicy_StopsTheSilo_WithExit2_NamingThePolicyAndTheFix()
    {
        await using var redis = await RedisServer.StartAsync(true, "--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru");
        var (exitCode, stderr) = await RunToExitAsync(redis.Endpoint);
        output.WriteLine(stderr);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; stderr:\n{stderr}");
        Assert.StartsWith("rmq silo: Redis at ", stderr);
        Assert.Contains("maxmemory-policy allkeys-lru", stderr);
        Assert.Contains("queue lists", stderr);
        Assert.Contains("CONFIG SET maxmemory-policy noeviction", stderr);
        Assert.Contains("Rmq:AllowEvictingRedis=true", stderr);
    }

    [Fact]
    public async Task AVolatilePolicy_IsRefusedToo_BecauseItEvictsHeartbeats()
    {
        await using var redis = await RedisServer.StartAsync(true, "--maxmemory-policy", "volatile-ttl");
        var (exitCode, stderr) = await RunToExitAsync(redis.Endpoint);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; stderr:\n{stderr}");
        Assert.Contains("maxmemory-policy volatile-ttl", stderr);
        Assert.Contains("heartbeats", stderr);
    }

    [Fact]
    public async Task AnEvictingPolicy_WithTheOverride_StartsWithAWarning()
    {
        await using var redis = await RedisServer.StartAsync(true, "--maxmemory-policy", "allkeys-lru");
        await using var silo = SiloProcess.Start("evicting", redis.Endpoint, "--Rmq:AllowEvictingRedis", "true");
        await silo.WaitHealthyAsync();
        Assert.Contains("has maxmemory-policy allkeys-lru", silo.Output.All);
        Assert.Contains("Starting anyway because Rmq:AllowEvictingRedis is true", silo.Output.All);
        Assert.DoesNotContain(AofWarning, silo.Output.All);
    }

    [Fact]
    public async Task AnInvalidOverrideValue_StopsTheSilo_NamingTheSetting()
    {
        await using var redis = await RedisServer.StartAsync(true);
        var (exitCode, stderr) = await RunToExitAsync(redis.Endpoint, "--Rmq:AllowEvictingRedis", "perhaps");
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; stderr:\n{stderr}");
        Assert.StartsWith("rmq silo: Invalid setting", stderr);
        Assert.Contains("Rmq:AllowEvictingRedis", stderr);
    }

    [Fact]
    public async Task AofOff_Warns_SayingWhatCanBeLost()
    {
        await using var redis = await RedisServer.StartAsync(durable: false);
        await using var silo = SiloProcess.Start("aof-off", redis.Endpoint);
        await silo.WaitHealthyAsync();
        Assert.Contains($"Redis at {redis.Endpoint} {AofWarning}", silo.Output.All);
        Assert.Contains("CONFIG SET appendonly yes", silo.Output.All);
    }

    [Fact]
    public async Task AofOn_AndNoeviction_StartWithoutWarnings()
    {
        await using var redis = await RedisServer.StartAsync(durable: true);
        await using var silo = SiloProcess.Start("aof-on", redis.Endpoint);
        await silo.WaitHealthyAsync();
        Assert.DoesNotContain(AofWarning, silo.Output.All);
        Assert.DoesNotContain("maxmemory-policy", silo.Output.All);
        Assert.DoesNotContain("Could not check the settings", silo.Output.All);
    }

    [Fact]
    public async Task AUserWithoutInfo_StartsTheSilo_SayingTheCheckCouldNotRun()
    {
        // An evicting policy that the silo cannot see: it must say it did not check, and start.
        await using var redis = await RedisServer.StartAsync(false, "--maxmemory-policy", "allkeys-lru");
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "rmq-noinfo", "on", ">noinfo-secret", "~*", "&*", "+@all", "-info");
        await using var silo = SiloProcess.Start("no-info", $"{redis.Endpoint},user=rmq-noinfo,password=noinfo-secret");
        await silo.WaitHealthyAsync();
        Assert.Contains($"Could not check the settings of Redis at {redis.Endpoint}", silo.Output.All);
        Assert.Contains("NOPERM", silo.Output.All);
        Assert.DoesNotContain("noinfo-secret", silo.Output.All);
    }

    [Fact]
    public async Task TheEmbeddedRedisDefault_StartsWithoutWarnings()
    {
        // Nothing listens on this loopback port: the silo starts its private redis-server there (AOF on, noeviction).
        var port = FreePorts.Next();
        await using var silo = SiloProcess.Start("embedded", $"127.0.0.1:{port}", "--Rmq:EmbeddedRedis", "true");
        await silo.WaitHealthyAsync();
        Assert.Contains($"port {port}", silo.Output.All);
        Assert.DoesNotContain(AofWarning, silo.Output.All);
        Assert.DoesNotContain("maxmemory-policy", silo.Output.All);
        Assert.DoesNotContain("Could not check the settings", silo.Output.All);

        // Stopped as an operator would: the silo stops the redis-server it started (a SIGKILL would leave it running).
        Assert.Equal(0, await silo.TerminateAsync());
        await Eventually.True(async () => !await ListensAsync(port), $"the embedded redis-server on port {port} stopped with its silo");
    }

    private static async Task<bool> ListensAsync(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Runs a silo against <paramref name="redis"/> that is expected to exit; returns its exit code and stderr.</summary>
    private static async Task<(int ExitCode, string StdErr)> RunToExitAsync(string redis, params string[] settings)
    {
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", redis, .. settings]);
        // One that started instead of failing is reported with everything it printed.
        return (exit.ExitCode, exit.ExitCode == -1 ? exit.All : exit.StdErr);
    }
}
