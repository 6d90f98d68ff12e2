using Rmq.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rmq.Bench.Grains;
using Rmq.Publishing;

namespace Rmq.Bench.Infrastructure;

/// <summary>
/// One Orleans silo running Rmq and one external Orleans client, both in this process and connected
/// over loopback TCP (the client talks to the silo's gateway as a real producer would). The silo's
/// consumer grains report to the shared <see cref="ConsumeProbe"/>.
/// </summary>
internal sealed class RmqHost : IAsyncDisposable
{
    private readonly IHost _silo;
    private readonly IHost _client;

    private RmqHost(IHost silo, IHost client, ConsumeProbe probe, RmqPublisher publisher, string redisEndpoint)
    {
        RedisEndpoint = redisEndpoint;
        _silo = silo;
        _client = client;
        Probe = probe;
        Publisher = publisher;
        Grains = client.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The Redis the silo uses; publisher processes connect to it.</summary>
    public string RedisEndpoint { get; }

    /// <summary>The client library's direct publisher (straight to Redis): what producers should use.</summary>
    public RmqPublisher Publisher { get; }

    /// <summary>The external client: every publish and admin call of the harness goes through it.</summary>
    public IClusterClient Grains { get; }

    public ConsumeProbe Probe { get; }

    public static async Task<RmqHost> StartAsync(string redisEndpoint)
    {
        var probe = new ConsumeProbe();
        var siloPort = FreePorts.Next();
        var gatewayPort = FreePorts.Next();

        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Quiet(siloBuilder.Logging);
        siloBuilder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.AddRmq(o => o.RedisConnectionString = redisEndpoint);
            silo.Services.AddSingleton(probe);
        });
        var silo = siloBuilder.Build();
        await silo.StartAsync();

        var clientBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Quiet(clientBuilder.Logging);
        clientBuilder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort));
        var client = clientBuilder.Build();
        await client.StartAsync();
        var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = redisEndpoint);
        return new RmqHost(silo, client, probe, publisher, redisEndpoint);
    }

    /// <summary>Warnings and errors only, on stderr, so they never mix into the results table.</summary>
    private static void Quiet(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Publisher.DisposeAsync();
        await _client.StopAsync(stop.Token);
        await _silo.StopAsync(stop.Token);
        _client.Dispose();
        _silo.Dispose();
    }
}
