using System.CommandLine;
using Rmq.Hosting;

namespace Rmq.Cli;

/// <summary>The options every command shares: where the silos are.</summary>
internal static class ConnectionSettings
{
    public static readonly Option<int> GatewayPort = new("--gateway-port", "-g")
    {
        Description = "The gateway port of a silo on this machine (Silo:GatewayPort).",
        DefaultValueFactory = _ => RmqClientOptions.DefaultGatewayPort,
        Recursive = true,
    };

    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Find the silos through Redis clustering: the Redis holding their membership, e.g. localhost:6379.",
        Recursive = true,
    };

    public static readonly Option<string?> RedisTlsCaCertificate = new("--redis-tls-ca-certificate")
    {
        Description = "With --redis over TLS (ssl=true): the CA certificate (PEM file) that signed Redis's certificate, as the silos' Rmq:RedisTlsCaCertificate.",
        Recursive = true,
    };

    public static readonly Option<string> ClusterId = new("--cluster-id")
    {
        Description = "The silos' Silo:ClusterId.",
        DefaultValueFactory = _ => RmqClientOptions.DefaultClusterId,
        Recursive = true,
    };

    public static readonly Option<string> ServiceId = new("--service-id")
    {
        Description = "The silos' Silo:ServiceId.",
        DefaultValueFactory = _ => RmqClientOptions.DefaultClusterId,
        Recursive = true,
    };

    public static readonly Option<double> Wait = new("--wait")
    {
        Description = "Keep trying to reach a silo for this many seconds (0: fail at once).",
        DefaultValueFactory = _ => 0,
        Recursive = true,
    };

    public static void AddTo(Command root)
    {
        root.Add(GatewayPort);
        root.Add(Redis);
        root.Add(RedisTlsCaCertificate);
        root.Add(ClusterId);
        root.Add(ServiceId);
        root.Add(Wait);
    }

    /// <summary>The client options the command line asks for; throws <see cref="UsageException"/> when they cannot work.</summary>
    public static (RmqClientOptions Options, TimeSpan Wait) Read(ParseResult parse)
    {
        var redis = parse.GetValue(Redis);
        var options = new RmqClientOptions
        {
            Clustering = string.IsNullOrWhiteSpace(redis) ? RmqClientClustering.Localhost : RmqClientClustering.Redis,
            RedisConnectionString = redis,
            RedisTlsCaCertificate = parse.GetValue(RedisTlsCaCertificate),
            GatewayPort = parse.GetValue(GatewayPort),
            ClusterId = parse.GetValue(ClusterId)!,
            ServiceId = parse.GetValue(ServiceId)!,
        };
        if (options.Clustering == RmqClientClustering.Localhost && !string.IsNullOrWhiteSpace(options.RedisTlsCaCertificate))
            throw new UsageException("--redis-tls-ca-certificate is given without --redis; the CLI talks to Redis only to find the silos through Redis clustering.");
        if (options.Problem() is { } problem)
            throw new UsageException(problem
                .Replace("GatewayPort", "--gateway-port", StringComparison.Ordinal)
                .Replace(nameof(RmqClientOptions.RedisTlsCaCertificate), "--redis-tls-ca-certificate", StringComparison.Ordinal)
                .Replace(nameof(RmqClientOptions.RedisConnectionString), "--redis", StringComparison.Ordinal));
        var wait = parse.GetValue(Wait);
        if (wait < 0 || double.IsNaN(wait)) throw new UsageException($"--wait is {wait}; it must be 0 or more seconds.");
        return (options, TimeSpan.FromSeconds(wait));
    }

    /// <summary>Where the client looks for silos, for messages.</summary>
    public static string Describe(RmqClientOptions options) => options.Clustering == RmqClientClustering.Localhost
        ? $"127.0.0.1:{options.GatewayPort} (--gateway-port)"
        : $"the silos registered in Redis at {Rmq.Redis.RedisConfiguration.Redacted(options.RedisConnectionString)} (--redis, cluster id '{options.ClusterId}')";
}
