namespace Rmq.Hosting;

/// <summary>How an Orleans client reaches Rmq silos. The defaults match a silo started with no configuration.</summary>
public sealed class RmqClientOptions
{
    /// <summary>Default for <see cref="ClusterId"/> and <see cref="ServiceId"/>, as the silo host's.</summary>
    public const string DefaultClusterId = "rmq";

    /// <summary>Default for <see cref="GatewayPort"/>, as the silo host's.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary><see cref="RmqClientClustering.Localhost"/> (default) or <see cref="RmqClientClustering.Redis"/>.</summary>
    public RmqClientClustering Clustering { get; set; } = RmqClientClustering.Localhost;

    /// <summary>With localhost clustering: the silo's gateway port on loopback.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>With Redis clustering: the StackExchange.Redis configuration of the Redis holding the silos' membership.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// With Redis clustering over TLS (<c>ssl=true</c> in <see cref="RedisConnectionString"/>): the path of
    /// a PEM (or DER) file holding the CA certificate that signed Redis's certificate, as the silos'
    /// <c>Rmq:RedisTlsCaCertificate</c>. Empty: only the machine's CAs are trusted.
    /// </summary>
    public string? RedisTlsCaCertificate { get; set; }

    /// <summary>The Orleans cluster id the silos use.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>The Orleans service id the silos use.</summary>
    public string ServiceId { get; set; } = DefaultClusterId;

    /// <summary>Why these options cannot work, or <c>null</c>.</summary>
    public string? Problem()
    {
        if (!Enum.IsDefined(Clustering)) return $"Clustering is '{Clustering}'; it must be Localhost or Redis.";
        if (Clustering == RmqClientClustering.Localhost && GatewayPort is < 1 or > 65535)
            return $"GatewayPort is {GatewayPort}; it must be a port number from 1 to 65535.";
        if (Clustering == RmqClientClustering.Redis && string.IsNullOrWhiteSpace(RedisConnectionString))
            return "RedisConnectionString is empty; Redis clustering needs the Redis that holds the silos' membership, e.g. 'localhost:6379'.";
        if (Clustering == RmqClientClustering.Redis)
        {
            if (Rmq.Redis.RedisConfiguration.ConnectionStringProblem(RedisConnectionString, nameof(RedisConnectionString)) is { } redis) return redis;
            if (Rmq.Redis.RedisConfiguration.TlsCaCertificateProblem(RedisTlsCaCertificate, nameof(RedisTlsCaCertificate), RedisConnectionString!, nameof(RedisConnectionString)) is { } ca) return ca;
        }
        if (string.IsNullOrWhiteSpace(ClusterId)) return "ClusterId is empty; use the silos' Silo:ClusterId.";
        if (string.IsNullOrWhiteSpace(ServiceId)) return "ServiceId is empty; use the silos' Silo:ServiceId.";
        return null;
    }
}
