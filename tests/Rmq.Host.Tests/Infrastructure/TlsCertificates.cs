using System.Diagnostics;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A test CA, a Redis server certificate it signed (for <c>localhost</c> and <c>127.0.0.1</c>), and a
/// second CA that signed nothing, made with <c>openssl</c> in a temporary folder deleted on dispose.
/// </summary>
public sealed class TlsCertificates : IDisposable
{
    private TlsCertificates(string dir) => Directory = dir;

    public string Directory { get; }
    public string CaCertificate => Path.Combine(Directory, "ca.crt");
    public string ServerCertificate => Path.Combine(Directory, "server.crt");
    public string ServerKey => Path.Combine(Directory, "server.key");
    /// <summary>A CA that did not sign the server certificate.</summary>
    public string OtherCaCertificate => Path.Combine(Directory, "other-ca.crt");

    public static async Task<TlsCertificates> CreateAsync()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("rmq-tls-").FullName;
        var certificates = new TlsCertificates(dir);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "server.ext"),
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
            await OpenSslAsync(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Rmq Test CA");
            await OpenSslAsync(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
            await OpenSslAsync(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext");
            await OpenSslAsync(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt", "-days", "2", "-subj", "/CN=Some Other CA");
            return certificates;
        }
        catch
        {
            certificates.Dispose();
            throw;
        }
    }

    private static async Task OpenSslAsync(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("openssl", args)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("openssl is not on the PATH; install it with 'apt-get install -y openssl'.", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
