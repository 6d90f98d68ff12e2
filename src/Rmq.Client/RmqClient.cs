using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rmq.Hosting;

namespace Rmq;

/// <summary>
/// A connected Orleans client for programs that are not hosts themselves — tools, scripts, tests:
/// <c>await using var rmq = await RmqClient.ConnectAsync(o => o.GatewayPort = 30000); await rmq.Queue("tasks").Publish("x");</c>
/// A program with its own generic host uses <c>UseOrleansClient(c => c.AddRmqClient(...))</c> instead.
/// </summary>
public sealed class RmqClient : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private readonly IHost _host;

    private RmqClient(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The Orleans client, for any grain.</summary>
    public IClusterClient Grains { get; }

    /// <summary>
    /// The queue named <paramref name="name"/>. The name is checked here (<see cref="QueueNames"/>):
    /// Orleans carries grain keys as UTF-8, so an unpaired surrogate would reach the silo as U+FFFD and
    /// silently address another queue. Throws <see cref="ArgumentException"/> for an invalid name.
    /// </summary>
    public IQueueGrain Queue(string name)
    {
        QueueNames.Validate(name, nameof(name));
        return Grains.GetGrain<IQueueGrain>(name);
    }

    /// <summary>
    /// The queue <paramref name="name"/> as an <see cref="IRmqProducer"/> on the grain path (each publish an
    /// Orleans call to its queue grain). For the direct path, straight to Redis, use <c>RmqPublisher.Queue</c>.
    /// </summary>
    public IRmqProducer Producer(string name) => Queue(name).AsProducer();

    /// <summary>
    /// Connects to the silos <paramref name="configure"/> points at, trying again every 500 ms until
    /// <paramref name="retryFor"/> has passed (zero: one attempt).
    /// </summary>
    /// <exception cref="ArgumentException">The options cannot work; the message says which one.</exception>
    /// <exception cref="SiloUnreachableException">No silo answered in time.</exception>
    public static Task<RmqClient> ConnectAsync(Action<RmqClientOptions> configure, TimeSpan retryFor = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new RmqClientOptions();
        configure(options);
        return ConnectAsync(options, retryFor, cancellationToken);
    }

    /// <summary>As <see cref="ConnectAsync(Action{RmqClientOptions}, TimeSpan, CancellationToken)"/>, with the options already made.</summary>
    /// <exception cref="ArgumentException">The options cannot work; the message says which one.</exception>
    /// <exception cref="SiloUnreachableException">No silo answered in time.</exception>
    public static async Task<RmqClient> ConnectAsync(RmqClientOptions options, TimeSpan retryFor = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryFor, TimeSpan.Zero);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var deadline = DateTime.UtcNow + retryFor;
        builder.UseOrleansClient(client => client
            .AddRmqClient(options)
            .UseConnectionRetryFilter(async (_, token) =>
            {
                if (DateTime.UtcNow >= deadline) return false;
                await Task.Delay(RetryDelay, token).ConfigureAwait(false);
                return true;
            }));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new RmqClient(host);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new SiloUnreachableException(
                $"no Rmq silo answers at {Where(options)}: {e.Message}{TlsHint(e, nameof(RmqClientOptions.RedisTlsCaCertificate))} Start one (the Rmq.Silo host), or point RmqClientOptions at a running one.", e);
        }
    }

    /// <summary>Disconnects; a silo that is already gone does not make this fail.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A slow goodbye to a gateway that may be gone does not matter: the client is done.
        }
        _host.Dispose();
    }

    /// <summary>When Redis's TLS certificate was refused: what to set, in the caller's words for the CA setting.</summary>
    internal static string TlsHint(Exception e, string caSetting) => Rmq.Redis.RedisConfiguration.TlsFailure(e) is null
        ? ""
        : $" Redis's TLS certificate is not trusted: set {caSetting} to the CA certificate (PEM) that signed it.";

    private static string Where(RmqClientOptions options) => options.Clustering == RmqClientClustering.Localhost
        ? $"127.0.0.1:{options.GatewayPort} (GatewayPort)"
        : $"the silos registered in Redis at {Rmq.Redis.RedisConfiguration.Redacted(options.RedisConnectionString)} (RedisConnectionString, cluster id '{options.ClusterId}')";
}
