using Rmq.Demo;
using Rmq.Publishing;

namespace Rmq.Host.Tests.Security;

/// <summary>A CA and a Redis certificate made by openssl, and a redis-server that speaks only TLS.</summary>
public sealed class TlsRedisFixture : IAsyncLifetime
{
    public TlsCertificates Certificates { get; private set; } = null!;
    public TlsRedisServer Redis { get; private set; } = null!;
    public ConnectionMultiplexer Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Certificates = await TlsCertificates.CreateAsync();
        Redis = await TlsRedisServer.StartAsync(Certificates);
        Admin = await TlsRedisServer.ConnectAsync(Redis.ConnectionString, Certificates);
    }

    public async Task DisposeAsync()
    {
        if (Admin is not null) await Admin.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        Certificates?.Dispose();
    }
}

/// <summary>
/// Redis over TLS: Rmq trusts the CA named by Rmq:RedisTlsCaCertificate (RmqClientOptions /
/// RmqPublisherOptions.RedisTlsCaCertificate, rmq --redis-tls-ca-certificate) everywhere it connects to
/// Redis, and refuses a certificate it does not trust with a message naming that setting.
/// </summary>
public sealed class RedisTlsTests(TlsRedisFixture fixture) : IClassFixture<TlsRedisFixture>
{
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private IDatabase Db => fixture.Admin.GetDatabase();
    private string Tls => fixture.Redis.ConnectionString;
    private string Ca => fixture.Certificates.CaCertificate;

    [Fact]
    public async Task ASiloWithRedisClusteringOverTls_PublishesAndConsumes_ThroughTheClientThePublisherAndTheCli()
    {
        var cluster = SingleSiloFixture.UniqueName("tls");
        await using var silo = SiloProcess.Start("tls-a", Tls,
            "--Rmq:RedisTlsCaCertificate", Ca, "--Silo:Clustering", "Redis", "--Silo:ClusterId", cluster);
        await silo.WaitHealthyAsync();

        // The Orleans client finds the silo through the membership kept in the TLS Redis.
        await using var client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Redis;
            o.RedisConnectionString = Tls;
            o.RedisTlsCaCertificate = Ca;
            o.ClusterId = cluster;
        }, retryFor: TimeSpan.FromSeconds(30));
        var source = SingleSiloFixture.UniqueName("tls-src");
        var copies = SingleSiloFixture.UniqueName("tls-dst");
        var queue = client.Queue(source);
        await queue.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(50));
        // The relay consumer copies each delivery into another queue: what it consumed is there to read.
        await queue.AddConsumer("relay", client.Grains.GetGrain<IRelayConsumerGrain>(0, copies));

        await using var publisher = await RmqPublisher.ConnectAsync(o =>
        {
            o.RedisConnectionString = Tls;
            o.RedisTlsCaCertificate = Ca;
        });
        await publisher.Queue(source).PublishBatch(["direct-1", "direct-2", "direct-3"]);
        await queue.Publish("through-the-grain");

        await Eventually.Equal(4L, () => Db.ListLengthAsync(_keys.Ready(copies)), "deliveries relayed into the copy queue", seconds: 30);
        var relayed = (await Db.ListRangeAsync(_keys.Ready(copies))).Select(v => RelayedCopies.Decode((byte[])v!).Payload).Order().ToArray();
        Assert.Equal(["direct-1", "direct-2", "direct-3", "through-the-grain"], relayed);
        await Eventually.Equal((0L, 0L), async () =>
        {
            var stats = await queue.GetStats();
            return (stats.ReadyCount, stats.UnackedCount);
        }, "ready and unacked of the consumed queue", seconds: 30);

        var stats = await CliRunner.RunAsync(["--redis", Tls, "--redis-tls-ca-certificate", Ca, "--cluster-id", cluster, "stats", "--json"]);
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains($"\"name\":\"{copies}\"", stats.StdOut.Replace(" ", ""));

        // The CLI without the CA cannot reach the membership: it says so and does not hang.
        var untrusted = await CliRunner.RunAsync(["--redis", Tls, "--cluster-id", cluster, "stats"]);
        Assert.True(untrusted.ExitCode == 3, untrusted.ToString());
        Assert.True(untrusted.StdErr.Contains("--redis-tls-ca-certificate"), untrusted.ToString());
    }

    [Fact]
    public async Task TheDirectPublisher_OverTls_WritesWithTheCa_AndFailsClearlyWithoutIt()
    {
        var queue = SingleSiloFixture.UniqueName("tls-pub");
        await using (var publisher = await RmqPublisher.ConnectAsync(o =>
        {
            o.RedisConnectionString = Tls;
            o.RedisTlsCaCertificate = Ca;
        }))
        {
            await publisher.Queue(queue).Publish("over tls");
        }
        Assert.Equal("over tls", (string?)await Db.ListGetByIndexAsync(_keys.Ready(queue), 0));

        await using var untrusted = new RmqPublisher(new RmqPublisherOptions { RedisConnectionString = Tls + ",connectTimeout=2000" });
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => untrusted.Queue(queue).Publish("refused"));
        Assert.Contains($"127.0.0.1:{fixture.Redis.Port}", e.Message);
        Assert.Equal(1, await Db.ListLengthAsync(_keys.Ready(queue)));

        var missing = Assert.Throws<ArgumentException>(() => new RmqPublisher(new RmqPublisherOptions
        {
            RedisConnectionString = Tls,
            RedisTlsCaCertificate = Path.Combine(fixture.Certificates.Directory, "no-such.crt"),
        }));
        Assert.Contains("RedisTlsCaCertificate", missing.Message);
        Assert.Contains("no such file", missing.Message);
    }

    [Theory]
    [InlineData("no CA setting")]
    [InlineData("another CA")]
    public async Task AnUntrustedRedisCertificate_StopsTheSilo_SayingItIsNotTrusted_AndNamingTheSetting(string trust)
    {
        string[] args = trust == "another CA"
            ? ["--Rmq:RedisConnectionString", Tls, "--Rmq:RedisTlsCaCertificate", fixture.Certificates.OtherCaCertificate]
            : ["--Rmq:RedisConnectionString", Tls];
        var exit = await SiloRun.UntilExitAsync(args);
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.StartsWith("rmq silo: Invalid setting: Rmq:RedisConnectionString: the TLS certificate of Redis at", exit.StdErr);
        Assert.Contains("is not trusted", exit.StdErr);
        Assert.Contains("set Rmq:RedisTlsCaCertificate", exit.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.True(exit.Elapsed < TimeSpan.FromSeconds(25), $"took {exit.Elapsed}");
    }

    [Theory]
    [InlineData("missing", "there is no such file")]
    [InlineData("not a certificate", "does not hold a certificate")]
    [InlineData("without ssl=true", "does not ask for TLS; add ',ssl=true'")]
    public async Task AnUnusableCaSetting_StopsTheSilo_WithExit2_NamingIt(string kind, string message)
    {
        var notACertificate = Path.Combine(fixture.Certificates.Directory, "not-a-certificate.txt");
        await File.WriteAllTextAsync(notACertificate, "this is not a certificate\n");
        var (connection, ca) = kind switch
        {
            "missing" => (Tls, Path.Combine(fixture.Certificates.Directory, "no-such.crt")),
            "not a certificate" => (Tls, notACertificate),
            _ => ($"127.0.0.1:{fixture.Redis.Port}", Ca),
        };
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", connection, "--Rmq:RedisTlsCaCertificate", ca]);
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.StartsWith("rmq silo: Invalid setting: Rmq:RedisTlsCaCertificate", exit.StdErr);
        Assert.Contains(message, exit.StdErr);
    }
}
