using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Rmq.Redis;

namespace Rmq.Silo.Hosting;

/// <summary>Turns <see cref="SiloSettings"/> into Orleans configuration: clustering, endpoints, membership, Rmq.</summary>
internal static class SiloSetup
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings, IConfiguration rmqSection)
    {
        var host = settings.Host;
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = host.ClusterId;
            o.ServiceId = host.ServiceId;
        });
        if (host.Name is { Length: > 0 } name) silo.Configure<SiloOptions>(o => o.SiloName = name);

        if (host.Clustering == ClusteringMode.Localhost)
        {
            silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, null, host.ServiceId, host.ClusterId);
        }
        else
        {
            var clustering = settings.ClusteringRedis;
            silo.UseRedisClustering(o => o.ConfigurationOptions = RedisConfiguration.Create(clustering, settings.RedisTlsCaCertificate));
            // Listen on the advertised address only: by default nothing is reachable from off the machine.
            silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedAddress), host.SiloPort, host.GatewayPort, listenOnAnyHostAddress: false);
        }

        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = host.ProbeTimeout;
            o.MinProbeTimeout = host.ProbeTimeout / 2;
            o.MaxProbeTimeout = host.ProbeTimeout * 4;
            o.NumMissedProbesLimit = host.NumMissedProbesLimit;
            o.NumVotesForDeathDeclaration = host.NumVotesForDeathDeclaration;
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = host.ResponseTimeout);
        silo.AddRmq(rmqSection);
    }
}
