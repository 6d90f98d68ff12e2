using System.Diagnostics;

namespace Rmq.Host.Tests;

/// <summary>Each wrong setting stops the real silo process at once, with exit code 2 and a message naming the setting.</summary>
public sealed class SiloSettingsTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [InlineData("Silo:Clustering", "--Silo:Clustering", "Kubernetes")]
    [InlineData("Silo:Clustering", "--Silo:Clustering", "7")]
    [InlineData("Silo:SiloPort", "--Silo:SiloPort", "70000")]
    [InlineData("Silo:GatewayPort", "--Silo:GatewayPort", "abc")]
    [InlineData("Silo:AdvertisedAddress", "--Silo:AdvertisedAddress", "not-an-ip")]
    [InlineData("Silo:AdvertisedAddress", "--Silo:AdvertisedAddress", "0.0.0.0")]
    [InlineData("Silo:Name", "--Silo:Name", "two words")]
    [InlineData("Silo:ClusterId", "--Silo:ClusterId", " ")]
    [InlineData("Silo:ProbeTimeout", "--Silo:ProbeTimeout", "00:00:00")]
    [InlineData("Silo:NumMissedProbesLimit", "--Silo:NumMissedProbesLimit", "0")]
    [InlineData("Silo:NumVotesForDeathDeclaration", "--Silo:NumVotesForDeathDeclaration", "-1")]
    [InlineData("Silo:ResponseTimeout", "--Silo:ResponseTimeout", "00:00:00.5")]
    [InlineData("Silo:ShutdownTimeout", "--Silo:ShutdownTimeout", "soon")]
    [InlineData("Silo:ClusteringRedis", "--Silo:Clustering", "Redis", "--Silo:ClusteringRedis", "host:6379,nonsense=1")]
    [InlineData("urls", "--urls", "ftp://127.0.0.1:21")]
    [InlineData("urls", "--urls", "http://127.0.0.1:3333/stats")]
    [InlineData("Rmq:RedisConnectionString", "--Rmq:RedisConnectionString", "127.0.0.1:6379,nonsense=1")]
    [InlineData("Rmq:RedisConnectionString", "--Rmq:RedisConnectionString", "127.0.0.1:6379,defaultDatabase=-1")]
    [InlineData("Rmq:KeyDialect", "--Rmq:KeyDialect", "Square")]
    [InlineData("Rmq:HeartbeatInterval", "--Rmq:HeartbeatInterval", "00:01:00")]
    [InlineData("Rmq:HeartbeatTtl", "--Rmq:HeartbeatTtl", "00:00:01.5")]
    [InlineData("Rmq:MaxPayloadBytes", "--Rmq:MaxPayloadBytes", "0")]
    [InlineData("Rmq:EmbeddedRedis", "--Rmq:EmbeddedRedis", "maybe")]
    [InlineData("Rmq:CleanerInterval", "--Rmq:CleanerInterval", "00:00:00")]
    [InlineData("Rmq:CleanerEnabled", "--Rmq:CleanerEnabled", "sometimes")]
    public async Task InvalidSetting_StopsTheSiloAtOnce_WithAMessageNamingIt(string setting, params string[] args)
    {
        var (exitCode, stderr, elapsed) = await RunSiloAsync(args);
        Assert.True(exitCode == 2, $"exit code {exitCode}, expected 2; stderr:\n{stderr}");
        Assert.Contains(setting, stderr);
        Assert.StartsWith("rmq silo: Invalid", stderr);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"took {elapsed}");
    }

    [Fact]
    public async Task InvalidSetting_FromAnRmqEnvironmentVariable_IsNamedToo()
    {
        var (exitCode, stderr, _) = await RunSiloAsync([], new Dictionary<string, string> { ["RMQ__Silo__NumMissedProbesLimit"] = "0" });
        Assert.True(exitCode == 2, $"exit {exitCode}: {stderr}");
        Assert.Contains("Silo:NumMissedProbesLimit is 0", stderr);
    }

    [Fact]
    public async Task CommandLine_WinsOverRmqEnvironmentVariables()
    {
        // The environment says one wrong value, the command line another: the command line's is the one checked.
        var (exitCode, stderr, _) = await RunSiloAsync(["--Silo:NumVotesForDeathDeclaration", "-7"], new Dictionary<string, string> { ["RMQ__Silo__NumVotesForDeathDeclaration"] = "-3" });
        Assert.True(exitCode == 2, $"exit {exitCode}: {stderr}");
        Assert.Contains("Silo:NumVotesForDeathDeclaration is -7", stderr);
    }

    [Fact]
    public async Task SamePortForSiloAndGateway_IsRejected()
    {
        var (exitCode, stderr, _) = await RunSiloAsync(["--Silo:SiloPort", "40000", "--Silo:GatewayPort", "40000"]);
        Assert.Equal(2, exitCode);
        Assert.Contains("Silo:SiloPort and Silo:GatewayPort are both 40000", stderr);
    }

    [Fact]
    public async Task WrongRedisPassword_StopsTheSilo_NamingTheConnectionString()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{_redis.Endpoint},allowAdmin=true");
        await redis.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", "right-secret");
        try
        {
            var (wrong, wrongErr, _) = await RunSiloAsync(["--Rmq:RedisConnectionString", $"{_redis.Endpoint},password=wrong-secret"]);
            Assert.True(wrong == 2, $"exit {wrong}: {wrongErr}");
            Assert.Contains("Rmq:RedisConnectionString", wrongErr);
            Assert.Contains("credentials", wrongErr);
            Assert.DoesNotContain("wrong-secret", wrongErr);

            var (missing, missingErr, _) = await RunSiloAsync([]);
            Assert.True(missing == 2, $"exit {missing}: {missingErr}");
            Assert.Contains("Rmq:RedisConnectionString", missingErr);
        }
        finally
        {
            await redis.GetDatabase().ExecuteAsync("AUTH", "right-secret");
            await redis.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", "");
        }
    }

    [Fact]
    public async Task PasswordAndDatabase_FromTheConnectionString_AreUsed()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{_redis.Endpoint},allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", "s3cret");
        try
        {
            var connectionString = $"{_redis.Endpoint},password=s3cret,defaultDatabase=3";
            await using var silo = SiloProcess.Start("db3", connectionString);
            await silo.WaitHealthyAsync();
            Assert.DoesNotContain("s3cret", silo.Output.All);

            var publish = await CliRunner.RunAsync(silo, "publish", "in-db-3", "hello");
            Assert.True(publish.ExitCode == 0, publish.ToString());
            await using var redis = await ConnectionMultiplexer.ConnectAsync($"{_redis.Endpoint},password=s3cret");
            Assert.Equal(1, await redis.GetDatabase(3).ListLengthAsync("rmq::queue::[in-db-3]::ready"));
            Assert.Equal(0, await redis.GetDatabase(0).ListLengthAsync("rmq::queue::[in-db-3]::ready"));
        }
        finally
        {
            await using var reset = await ConnectionMultiplexer.ConnectAsync($"{_redis.Endpoint},password=s3cret,allowAdmin=true");
            await reset.GetDatabase().ExecuteAsync("CONFIG", "SET", "requirepass", "");
        }
    }

    [Fact]
    public async Task DatabaseIndexTheServerDoesNotHave_StopsTheSilo()
    {
        var (exitCode, stderr, _) = await RunSiloAsync(["--Rmq:RedisConnectionString", $"{_redis.Endpoint},defaultDatabase=999"]);
        Assert.True(exitCode == 2, $"exit {exitCode}: {stderr}");
        Assert.Contains("defaultDatabase=999", stderr);
    }

    [Fact]
    public async Task TlsAgainstAPlainRedis_FailsToStart_SayingTlsWasAskedFor()
    {
        var (exitCode, stderr, _) = await RunSiloAsync(["--Rmq:RedisConnectionString", $"{_redis.Endpoint},ssl=true,connectTimeout=2000"]);
        Assert.True(exitCode == 1, $"exit {exitCode}: {stderr}");
        Assert.Contains("ssl=true", stderr);
    }

    [Fact]
    public async Task NoRedis_AndNoEmbeddedRedis_FailsToStart_SayingWhereItLooked()
    {
        var port = FreePorts.Next();
        var (exitCode, stderr, _) = await RunSiloAsync(["--Rmq:RedisConnectionString", $"127.0.0.1:{port}"]);
        Assert.True(exitCode == 1, $"exit {exitCode}: {stderr}");
        Assert.Contains($"No Redis answers at 127.0.0.1:{port}", stderr);
        Assert.Contains("Rmq:RedisConnectionString", stderr);
    }

    [Fact]
    public async Task PortsInUse_FailToStart_WithExit1_PointingAtThePortSettings()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var (gateway, gatewayErr, _) = await RunSiloAsync(["--Silo:GatewayPort", port.ToString()]);
        Assert.True(gateway == 1, $"exit {gateway}: {gatewayErr}");
        Assert.Contains("could not start", gatewayErr);
        Assert.Contains("Silo:GatewayPort", gatewayErr);

        var (http, httpErr, _) = await RunSiloAsync(["--urls", $"http://127.0.0.1:{port}"]);
        Assert.True(http == 1, $"exit {http}: {httpErr}");
        Assert.Contains($"127.0.0.1:{port}", httpErr);
        Assert.Contains("--urls", httpErr);
    }

    /// <summary>Runs the silo with a valid base configuration plus <paramref name="args"/> (later arguments win).</summary>
    private async Task<(int ExitCode, string StdErr, TimeSpan Elapsed)> RunSiloAsync(string[] args, IDictionary<string, string>? environment = null)
    {
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", _redis.Endpoint, .. args], environment: environment);
        // One that started instead of failing is reported with everything it printed.
        return (exit.ExitCode, exit.ExitCode == -1 ? exit.All : exit.StdErr, exit.Elapsed);
    }
}
