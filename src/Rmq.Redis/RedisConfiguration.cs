using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// The one place that turns Rmq's Redis settings — a StackExchange.Redis connection string and,
/// for TLS, the CA certificate to trust — into <see cref="ConfigurationOptions"/>, checks them, and
/// writes them into messages without their password. The silo (its queues, its start-up check, Orleans'
/// Redis clustering), the client library (the direct publisher, Redis clustering) and the CLI all use it.
/// </summary>
internal static class RedisConfiguration
{
    /// <summary>
    /// Parses <paramref name="connectionString"/>; when <paramref name="tlsCaCertificate"/> is given,
    /// TLS connections trust the CA in that file (as well as the machine's), with the usual chain and
    /// host name checks. Call the <c>Problem</c> methods first: this throws on what they report.
    /// </summary>
    public static ConfigurationOptions Create(string connectionString, string? tlsCaCertificate)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        if (!string.IsNullOrWhiteSpace(tlsCaCertificate)) options.TrustIssuer(LoadCertificate(tlsCaCertificate));
        return options;
    }

    /// <summary>
    /// What is wrong with a connection string, said with the setting's name, or <c>null</c>. Never
    /// repeats the string itself: it may hold a password.
    /// </summary>
    public static string? ConnectionStringProblem(string? value, string setting)
    {
        if (string.IsNullOrWhiteSpace(value))
            return $"{setting} is empty; give a StackExchange.Redis configuration such as 'localhost:6379'.";
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(value);
        }
        catch (ArgumentException e)
        {
            return $"{setting} cannot be parsed ({e.Message}); use host:port followed by options such as ',user=...,password=...,ssl=true,defaultDatabase=2'.";
        }
        if (parsed.EndPoints.Count == 0)
            return $"{setting} names no endpoint; give host:port, e.g. 'localhost:6379'.";
        // StackExchange.Redis does not read URLs: 'redis://user:secret@host:6379' becomes an endpoint
        // named after the whole text, which would then appear (password and all) in every error.
        if (parsed.EndPoints.Any(e => EndPointCollection.ToString(e).Contains('@', StringComparison.Ordinal)))
            return $"{setting} has an endpoint in URL form (user:password@host); StackExchange.Redis does not read that form: write 'host:port,user=...,password=...' instead.";
        return null;
    }

    /// <summary>
    /// What is wrong with the CA certificate setting, or <c>null</c> when it is empty or names a
    /// readable certificate and <paramref name="connectionString"/> uses TLS.
    /// </summary>
    public static string? TlsCaCertificateProblem(string? path, string setting, string connectionString, string connectionSetting)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        if (!File.Exists(path))
            return $"{setting} is '{path}', but there is no such file; give the path of the PEM (or DER) file holding the CA certificate that signed Redis's TLS certificate.";
        try
        {
            using var _ = LoadCertificate(path);
        }
        catch (CryptographicException e)
        {
            return $"{setting} is '{path}', but that file does not hold a certificate ({e.Message}); give a PEM (or DER) CA certificate.";
        }
        if (!UsesTls(connectionString))
            return $"{setting} is set, but {connectionSetting} does not ask for TLS; add ',ssl=true' to it (the CA is trusted only for TLS connections).";
        return null;
    }

    /// <summary>Whether the connection string asks for TLS (<c>ssl=true</c>, or an <c>sslHost=</c>).</summary>
    public static bool UsesTls(string connectionString)
    {
        try { return ConfigurationOptions.Parse(connectionString).Ssl; }
        catch (ArgumentException) { return false; }
    }

    /// <summary>The connection string for messages and logs: the password replaced by <c>*****</c>.</summary>
    public static string Redacted(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return "(none)";
        try
        {
            var parsed = ConfigurationOptions.Parse(connectionString);
            // The URL form is not understood (see ConnectionStringProblem), so ToString would keep its password.
            if (parsed.EndPoints.Any(e => EndPointCollection.ToString(e).Contains('@', StringComparison.Ordinal)))
                return "(a connection string in URL form, not shown)";
            return parsed.ToString(includePassword: false);
        }
        catch (ArgumentException)
        {
            return "(an unparsable connection string, not shown)";
        }
    }

    /// <summary>
    /// The TLS handshake's failure within <paramref name="e"/>, or <c>null</c>. StackExchange.Redis reports a
    /// server certificate it refused as an authentication failure, like a refused password; this tells them apart.
    /// </summary>
    public static AuthenticationException? TlsFailure(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is AuthenticationException tls) return tls;
        return null;
    }

    /// <summary>The endpoints alone (<c>host:port,host:port</c>), for messages.</summary>
    public static string Endpoints(ConfigurationOptions options) => string.Join(",", options.EndPoints.Select(EndPointCollection.ToString));

    private static X509Certificate2 LoadCertificate(string path) =>
        // Reads PEM and DER alike; a file that holds no certificate throws CryptographicException.
        X509CertificateLoader.LoadCertificateFromFile(path);
}
