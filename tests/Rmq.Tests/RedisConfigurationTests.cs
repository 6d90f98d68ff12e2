using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Rmq.Redis;

namespace Rmq.Tests;

/// <summary>The shared Redis settings checks: the URL form is refused, passwords never reach a message, CA files are read.</summary>
public sealed class RedisConfigurationTests : IDisposable
{
    private const string Secret = "Pw-unit-5d2e91";
    private readonly string _dir = Directory.CreateTempSubdirectory("rmq-ca-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("rmq:" + Secret + "@127.0.0.1:6379")]
    [InlineData("redis://rmq:" + Secret + "@127.0.0.1:6379")]
    [InlineData("rediss://:" + Secret + "@redis.internal:6380/2")]
    public void TheUrlForm_IsRefused_WithoutRepeatingThePassword(string connectionString)
    {
        var problem = RedisConfiguration.ConnectionStringProblem(connectionString, "Rmq:RedisConnectionString");
        Assert.NotNull(problem);
        Assert.StartsWith("Rmq:RedisConnectionString has an endpoint in URL form", problem);
        Assert.DoesNotContain(Secret, problem);
        Assert.DoesNotContain(Secret, RedisConfiguration.Redacted(connectionString));
    }

    [Theory]
    [InlineData("127.0.0.1:6379,user=rmq,password=" + Secret, "127.0.0.1:6379,user=rmq,password=*****")]
    [InlineData("127.0.0.1:6379,password=" + Secret + ",nonsense=1", "(an unparsable connection string, not shown)")]
    public void Redacted_ShowsNoPassword(string connectionString, string expected)
    {
        Assert.Equal(expected, RedisConfiguration.Redacted(connectionString));
        Assert.Null(RedisConfiguration.ConnectionStringProblem("127.0.0.1:6379,user=rmq,password=" + Secret, "x"));
    }

    [Fact]
    public void ACaCertificate_IsReadAsPemOrDer_AndNeedsTls()
    {
        using var key = RSA.Create(2048);
        using var ca = new CertificateRequest("CN=Unit Test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pem = Path.Combine(_dir, "ca.pem");
        var der = Path.Combine(_dir, "ca.der");
        var text = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(pem, ca.ExportCertificatePem());
        File.WriteAllBytes(der, ca.Export(X509ContentType.Cert));
        File.WriteAllText(text, "not a certificate");
        const string tls = "redis.internal:6380,ssl=true";

        Assert.Null(RedisConfiguration.TlsCaCertificateProblem(pem, "Ca", tls, "Conn"));
        Assert.Null(RedisConfiguration.TlsCaCertificateProblem(der, "Ca", tls, "Conn"));
        Assert.Null(RedisConfiguration.TlsCaCertificateProblem(null, "Ca", "redis.internal:6379", "Conn"));
        Assert.Contains("does not hold a certificate", RedisConfiguration.TlsCaCertificateProblem(text, "Ca", tls, "Conn"));
        Assert.Contains("no such file", RedisConfiguration.TlsCaCertificateProblem(Path.Combine(_dir, "missing.pem"), "Ca", tls, "Conn"));
        Assert.Equal("Ca is set, but Conn does not ask for TLS; add ',ssl=true' to it (the CA is trusted only for TLS connections).",
            RedisConfiguration.TlsCaCertificateProblem(pem, "Ca", "redis.internal:6379", "Conn"));
        Assert.True(RedisConfiguration.Create(tls, pem).Ssl);
    }
}
