using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>Deploys a TestCluster whose silos run Rmq with the given <c>Rmq:*</c> settings.</summary>
public static class RmqTestCluster
{
    /// <summary>The setting (<c>hh:mm:ss</c>) that shortens the silos' Orleans response timeout, for tests of calls that outlive it.</summary>
    public const string ResponseTimeoutSetting = "Test:ResponseTimeout";

    /// <summary>The setting (<c>true</c>) that adds the <see cref="DroppedRenewals"/> fault to the silos.</summary>
    public const string DroppedRenewalsSetting = "Test:DroppedRenewals";

    public static async Task<TestCluster> DeployAsync(int silos, IReadOnlyDictionary<string, string> rmqSettings, TimeSpan? responseTimeout = null, bool droppedRenewals = false)
    {
        var builder = new TestClusterBuilder((short)silos);
        foreach (var (key, value) in rmqSettings) builder.Properties[$"Rmq:{key}"] = value;
        if (responseTimeout is { } timeout) builder.Properties[ResponseTimeoutSetting] = timeout.ToString();
        if (droppedRenewals) builder.Properties[DroppedRenewalsSetting] = "true";
        builder.AddSiloBuilderConfigurator<Configurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static async Task StopAsync(TestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddRmq(silo.Configuration.GetSection("Rmq"));
            if (silo.Configuration[ResponseTimeoutSetting] is { } timeout)
                silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture));
            if (silo.Configuration[DroppedRenewalsSetting] == "true") silo.Services.AddSingleton<IIncomingGrainCallFilter, DroppedRenewals>();
            // Fast failure detection, so a killed silo is declared dead within seconds.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
            });
        }
    }
}
