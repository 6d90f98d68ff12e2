using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>Whether a request may run a dashboard action: the one rule, testable without a server.</summary>
internal static class DashboardAccess
{
    /// <summary>
    /// Null when the request may act; else why not and what to do, for the 403 body. Allowed: a request
    /// from a loopback address (unless <see cref="RmqDashboardOptions.AllowLoopbackWithoutKey"/> is false), or
    /// any request whose <c>X-Rmq-Api-Key</c> equals the configured <see cref="RmqDashboardOptions.ApiKey"/>
    /// (compared in constant time). The remote address is the TCP peer's: forwarded headers are not read.
    /// Refused whatever the address or key: what a browser sends on another site's behalf, a request whose <c>Origin</c> is
    /// not this host, or whose <c>Sec-Fetch-Site</c> is <c>cross-site</c> or <c>same-site</c> (a page elsewhere
    /// posting to the silo through its visitor's browser, which would come from loopback); and, for the
    /// loopback rule, a <c>Host</c> that is not a loopback name (a DNS-rebinding page).
    /// With <see cref="DashboardActionAccess.EndpointAuthorization"/> the application's policy decides instead of the
    /// address and key, and actions are refused while the endpoint has no authorization metadata.
    /// </summary>
    public static string? Refusal(IPAddress? remote, string? presentedKey, RmqDashboardOptions options, string? origin, string? host, string? fetchSite,
        bool endpointHasAuthorization = false)
    {
        if (fetchSite is "cross-site" or "same-site")
            return $"Refused a request another site's page sent through the browser (Sec-Fetch-Site: {fetchSite}); use the dashboard itself, or a script without a browser.";
        // "null" (a sandboxed frame, a file:// page) parses as no URI, so it is refused too.
        if (origin is { Length: > 0 } && host is not null
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || !string.Equals(o.Authority, host, StringComparison.OrdinalIgnoreCase)))
            return $"Refused a request from the page at {origin}, which is not this dashboard ({host}); use the dashboard itself, or a script without a browser.";
        if (options.ActionAccess == DashboardActionAccess.EndpointAuthorization)
            // The application's policy already ran (and passed) before this endpoint did; without one, nothing would guard actions.
            return endpointHasAuthorization ? null
                : "Dashboard actions are left to the application's authorization (ActionAccess EndpointAuthorization), but the dashboard's endpoints have none (or allow anonymous access): add .RequireAuthorization(\"<policy>\") to MapRmqDashboard(...) and no AllowAnonymous around it.";
        if (options.ApiKey is { Length: > 0 } configured && presentedKey is not null && KeysEqual(presentedKey, configured)) return null;
        if (remote is not null && IPAddress.IsLoopback(remote) && options.AllowLoopbackWithoutKey && host is not null && !IsLoopbackHost(host))
            return $"Refused a loopback request for host '{host}', which is not a loopback name: open the dashboard as http://127.0.0.1:… or http://localhost:…, or send Dashboard:ApiKey in the {RmqDashboardOptions.ApiKeyHeader} header.";

        var loopback = remote is not null && IPAddress.IsLoopback(remote);
        if (loopback && options.AllowLoopbackWithoutKey) return null;
        if (string.IsNullOrEmpty(options.ApiKey))
            return $"Actions are allowed from loopback only, and this request came from {remote?.ToString() ?? "an unknown address"}. Run it from the silo's machine over loopback, or set Dashboard:ApiKey on the silo and send it in the {RmqDashboardOptions.ApiKeyHeader} header.";
        return presentedKey is null
            ? $"This action needs the dashboard's API key: send Dashboard:ApiKey in the {RmqDashboardOptions.ApiKeyHeader} header."
            : $"The {RmqDashboardOptions.ApiKeyHeader} header does not match Dashboard:ApiKey; send the key configured on the silo.";
    }

    /// <summary>Whether a Host header names this machine's loopback: localhost, 127.x.x.x or [::1], with any port.</summary>
    public static bool IsLoopbackHost(string host)
    {
        if (!Uri.TryCreate("http://" + host, UriKind.Absolute, out var uri)) return false;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>Compares in time independent of where the keys differ (the lengths may leak; the contents do not).</summary>
    public static bool KeysEqual(string presented, string configured) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
}
