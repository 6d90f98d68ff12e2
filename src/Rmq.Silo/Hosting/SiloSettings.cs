using System.Net;
using Microsoft.Extensions.Configuration;
using Rmq.Hosting;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Silo.Hosting;

/// <summary>
/// Everything the host needs from configuration, read and checked before anything starts, so a wrong
/// setting stops the silo at once with a message that names it. (The <c>Rmq</c> section's own rules
/// run afterwards through Orleans' configuration validators.)
/// </summary>
internal sealed record SiloSettings(
    SiloHostOptions Host,
    string RedisConnectionString,
    string? RedisTlsCaCertificate,
    bool EmbeddedRedis,
    IReadOnlyList<string> Urls)
{
    /// <summary>Redis configuration for messages and logs, without its password.</summary>
    public string RedisForDisplay => RedisConfiguration.Redacted(RedisConnectionString);

    /// <summary>The Redis that holds Orleans membership with Redis clustering.</summary>
    public string ClusteringRedis => string.IsNullOrWhiteSpace(Host.ClusteringRedis) ? RedisConnectionString : Host.ClusteringRedis;

    /// <summary>Reads and checks the settings; throws <see cref="SettingsException"/> naming the first wrong one.</summary>
    public static SiloSettings Load(IConfiguration configuration)
    {
        var host = Bind<SiloHostOptions>(configuration.GetSection(SiloHostOptions.SectionName)) ?? new SiloHostOptions();
        var rmq = configuration.GetSection("Rmq");
        var redis = rmq[nameof(RmqOptions.RedisConnectionString)] ?? RmqOptions.DefaultRedisConnectionString;
        var ca = rmq[nameof(RmqOptions.RedisTlsCaCertificate)] is { Length: > 0 } path ? path : null;
        var embedded = Convert(() => rmq.GetValue("EmbeddedRedis", true));
        var urls = (configuration["urls"] is { Length: > 0 } configured ? configured : SiloHostOptions.DefaultUrls)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Check(RedisProblem(redis, "Rmq:RedisConnectionString"));
        Check(HostProblem(host));
        if (host.Clustering == ClusteringMode.Redis && !string.IsNullOrWhiteSpace(host.ClusteringRedis))
            Check(RedisProblem(host.ClusteringRedis, "Silo:ClusteringRedis"));
        // One CA for every Redis the silo talks to; it must be usable by the queues' connection at least.
        Check(RedisConfiguration.TlsCaCertificateProblem(ca, "Rmq:RedisTlsCaCertificate", redis, "Rmq:RedisConnectionString"));
        Check(urls.Length == 0 ? "urls is empty; give an HTTP address such as http://127.0.0.1:3333." : urls.Select(UrlProblem).FirstOrDefault(p => p is not null));
        return new SiloSettings(host, redis, ca, embedded, urls);
    }

    private static string? HostProblem(SiloHostOptions o)
    {
        if (!Enum.IsDefined(o.Clustering))
            return $"Silo:Clustering is '{o.Clustering}'; it must be Localhost (one silo) or Redis (a cluster).";
        if (string.IsNullOrWhiteSpace(o.ClusterId) || o.ClusterId.Any(char.IsWhiteSpace))
            return $"Silo:ClusterId is '{o.ClusterId}'; it must be a non-empty name without spaces, the same on every silo and client of the cluster.";
        if (string.IsNullOrWhiteSpace(o.ServiceId) || o.ServiceId.Any(char.IsWhiteSpace))
            return $"Silo:ServiceId is '{o.ServiceId}'; it must be a non-empty name without spaces.";
        if (o.Name is { Length: > 0 } name && (name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            return $"Silo:Name is '{name}'; it may hold only letters, digits, '.', '_' and '-' (at most 64), since it becomes part of rmq connection names.";
        if (!IPAddress.TryParse(o.AdvertisedAddress, out var address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return $"Silo:AdvertisedAddress is '{o.AdvertisedAddress}'; it must be the IP address other silos reach this one at, such as 127.0.0.1 (not 0.0.0.0).";
        if (o.SiloPort is < 1 or > 65535)
            return $"Silo:SiloPort is {o.SiloPort}; it must be a port number from 1 to 65535.";
        if (o.GatewayPort is < 1 or > 65535)
            return $"Silo:GatewayPort is {o.GatewayPort}; it must be a port number from 1 to 65535.";
        if (o.SiloPort == o.GatewayPort)
            return $"Silo:SiloPort and Silo:GatewayPort are both {o.SiloPort}; they must differ.";
        if (o.ProbeTimeout < TimeSpan.FromMilliseconds(100))
            return $"Silo:ProbeTimeout is {o.ProbeTimeout}; it must be at least 00:00:00.1.";
        if (o.NumMissedProbesLimit < 1)
            return $"Silo:NumMissedProbesLimit is {o.NumMissedProbesLimit}; it must be at least 1.";
        if (o.NumVotesForDeathDeclaration < 1)
            return $"Silo:NumVotesForDeathDeclaration is {o.NumVotesForDeathDeclaration}; it must be at least 1.";
        if (o.ResponseTimeout < TimeSpan.FromSeconds(1) || o.ResponseTimeout > TimeSpan.FromHours(1))
            return $"Silo:ResponseTimeout is {o.ResponseTimeout}; it must be at least 00:00:01 and at most 01:00:00 (a job longer than a grain call is a long-running consumer, with a lease: docs/long-jobs.md).";
        if (o.ShutdownTimeout <= TimeSpan.Zero)
            return $"Silo:ShutdownTimeout is {o.ShutdownTimeout}; it must be positive.";
        return null;
    }

    /// <summary>Checks what the Rmq validator does not: the parts of a connection string only a host cares about.</summary>
    private static string? RedisProblem(string value, string setting)
    {
        if (RedisConfiguration.ConnectionStringProblem(value, setting) is { } problem) return problem;
        var parsed = ConfigurationOptions.Parse(value);
        if (parsed.DefaultDatabase is < 0)
            return $"{setting} has defaultDatabase={parsed.DefaultDatabase}; a Redis database index is 0 or more.";
        return null;
    }

    private static string? UrlProblem(string url)
    {
        // Kestrel accepts '*' and '+' for "every address"; Uri does not, so stand in an address to parse.
        var parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            return $"urls has '{url}'; each address must look like http://127.0.0.1:3333 (set it with --urls).";
        return null;
    }

    private static T? Bind<T>(IConfiguration section) => Convert(() => section.Get<T>());

    private static T Convert<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value: "Failed to convert configuration value 'x' at 'Silo:SiloPort' to type 'System.Int32'."
            throw new SettingsException($"Invalid setting: {e.Message}");
        }
    }

    private static void Check(string? problem)
    {
        if (problem is not null) throw new SettingsException($"Invalid setting: {problem}");
    }
}
