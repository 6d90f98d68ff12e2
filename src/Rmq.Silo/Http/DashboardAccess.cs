using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Rmq.Silo.Http;

/// <summary>Whether a request may run a dashboard action: the one rule, testable without a server.</summary>
internal static class DashboardAccess
{
    /// <summary>
    /// Null when the request may act; else why not and what to do, for the 403 body. Allowed: a request
    /// from a loopback address (unless <see cref="DashboardOptions.AllowLoopbackWithoutKey"/> is false), or
    /// any request whose <c>X-Rmq-Api-Key</c> equals the configured <see cref="DashboardOptions.ApiKey"/>
    /// (compared in constant time). The remote address is the TCP peer's: forwarded headers are not read.
    /// </summary>
    public static string? Refusal(IPAddress? remote, string? presentedKey, DashboardOptions options)
    {
        if (options.ApiKey is { Length: > 0 } configured && presentedKey is not null && KeysEqual(presentedKey, configured)) return null;
        var loopback = remote is not null && IPAddress.IsLoopback(remote);
        if (loopback && options.AllowLoopbackWithoutKey) return null;
        if (string.IsNullOrEmpty(options.ApiKey))
            return $"Actions are allowed from loopback only, and this request came from {remote?.ToString() ?? "an unknown address"}. Run it from the silo's machine over loopback, or set Dashboard:ApiKey on the silo and send it in the {DashboardOptions.ApiKeyHeader} header.";
        return presentedKey is null
            ? $"This action needs the dashboard's API key: send Dashboard:ApiKey in the {DashboardOptions.ApiKeyHeader} header."
            : $"The {DashboardOptions.ApiKeyHeader} header does not match Dashboard:ApiKey; send the key configured on the silo.";
    }

    /// <summary>Compares in time independent of where the keys differ (the lengths may leak; the contents do not).</summary>
    public static bool KeysEqual(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
