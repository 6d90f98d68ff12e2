using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rmq.Hosting;

namespace Rmq.Cli;

/// <summary>An Orleans client connected to the Rmq silos for the duration of one command.</summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterSession(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Grains { get; }

    /// <summary>Connects, retrying until <paramref name="wait"/> has passed; throws <see cref="SiloUnreachableException"/>.</summary>
    public static async Task<ClusterSession> ConnectAsync(RmqClientOptions options, TimeSpan wait, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Orleans logs every failed attempt; the command reports the outcome itself.
        builder.Logging.ClearProviders();
        var deadline = DateTime.UtcNow + wait;
        builder.UseOrleansClient(client => client
            .AddRmqClient(o =>
            {
                o.Clustering = options.Clustering;
                o.GatewayPort = options.GatewayPort;
                o.RedisConnectionString = options.RedisConnectionString;
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            })
            .UseConnectionRetryFilter(async (_, token) =>
            {
                if (DateTime.UtcNow >= deadline) return false;
                await Task.Delay(TimeSpan.FromMilliseconds(500), token);
                return true;
            }));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return new ClusterSession(host);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new SiloUnreachableException($"no Rmq silo answers at {ConnectionSettings.Describe(options)}: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The command's work is done; a slow goodbye to the gateway does not matter.
        }
        _host.Dispose();
    }
}
