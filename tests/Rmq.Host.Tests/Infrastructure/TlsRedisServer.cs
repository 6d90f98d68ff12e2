using System.Diagnostics;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A private redis-server that speaks only TLS (<c>--port 0 --tls-port P</c>), with a certificate signed by
/// <see cref="TlsCertificates.CaCertificate"/>; clients need no certificate of their own.
/// </summary>
public sealed class TlsRedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;

    private TlsRedisServer(Process process, int port, string dataDir)
    {
        _process = process;
        Port = port;
        _dataDir = dataDir;
    }

    public int Port { get; }

    /// <summary>The TLS endpoint as a StackExchange.Redis connection string (add the CA with <c>TrustIssuer</c>).</summary>
    public string ConnectionString => $"127.0.0.1:{Port},ssl=true";

    public static async Task<TlsRedisServer> StartAsync(TlsCertificates certificates)
    {
        var port = FreePorts.Next();
        var dataDir = Directory.CreateTempSubdirectory("rmq-redis-tls-").FullName;
        var process = await RedisServer.StartProcessAsync(port,
        [
            "--port", "0", "--tls-port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dataDir,
            "--tls-cert-file", certificates.ServerCertificate, "--tls-key-file", certificates.ServerKey,
            "--tls-ca-cert-file", certificates.CaCertificate, "--tls-auth-clients", "no",
        ]);
        return new TlsRedisServer(process, port, dataDir);
    }

    /// <summary>A connection that trusts the test CA, for checking what the silo wrote.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(string connectionString, TlsCertificates certificates)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.TrustIssuer(certificates.CaCertificate);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Forget(_process);
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}
