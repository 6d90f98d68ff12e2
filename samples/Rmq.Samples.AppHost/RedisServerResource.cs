using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Rmq.Samples.AppHost;

/// <summary>
/// A <c>redis-server</c> from the PATH, run by Aspire as an executable resource (no container runtime needed):
/// on 127.0.0.1, on a port Aspire allocates, nothing saved to disk. Its connection string is <c>host:port</c>, as
/// Rmq and StackExchange.Redis read it; Orleans' Redis clustering takes it as the provider "Redis".
/// </summary>
public sealed class RedisServerResource(string name, string workingDirectory)
    : ExecutableResource(name, "redis-server", workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    /// <summary>The endpoint clients connect to.</summary>
    public EndpointReference PrimaryEndpoint => new(this, EndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

/// <summary>Adds <see cref="RedisServerResource"/> to an app host.</summary>
public static class RedisServerResourceExtensions
{
    /// <summary>
    /// A local <c>redis-server</c> named <paramref name="name"/>: healthy once it answers PING, so
    /// <c>WaitFor</c> waits for a Redis that serves, not only for a started process.
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name)
    {
        var resource = new RedisServerResource(name, builder.AppHostDirectory);
        var healthCheck = $"{name}-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            return await PingAsync(connectionString, cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"redis-server at {connectionString} does not answer PING");
        });
        return builder.AddResource(resource)
            .WithEndpoint(name: RedisServerResource.EndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                // Loopback only, in memory only (as Aspire's container Redis: state lives as long as the app host runs).
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--appendonly");
                context.Args.Add("no");
            })
            .WithHealthCheck(healthCheck)
            // Orleans' provider name for Redis clustering (the resource type's name would say "RedisServer").
            .WithOrleansProviderType("Redis");
    }

    private static async Task<bool> PingAsync(string? hostAndPort, CancellationToken cancellationToken)
    {
        if (hostAndPort is null) return false;
        var colon = hostAndPort.LastIndexOf(':');
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(hostAndPort[..colon], int.Parse(hostAndPort[(colon + 1)..]), timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }
}
