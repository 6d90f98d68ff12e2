using Orleans.Configuration;
using Rmq.Hosting;
using Rmq.Redis;

// The usual home of Orleans builder extensions, so `client.AddRmqClient()` needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>Connects an Orleans client to Rmq silos.</summary>
public static class RmqClientBuilderExtensions
{
    /// <summary>
    /// Configures clustering and the cluster ids so the client reaches Rmq silos:
    /// <c>builder.UseOrleansClient(c => c.AddRmqClient(o => o.GatewayPort = 30000))</c>. Then use
    /// <c>client.GetGrain&lt;IQueueGrain&gt;("tasks")</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The options cannot work; the message says which one.</exception>
    public static IClientBuilder AddRmqClient(this IClientBuilder builder, Action<RmqClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new RmqClientOptions();
        configure?.Invoke(options);
        return builder.AddRmqClient(options);
    }

    /// <summary>As <see cref="AddRmqClient(IClientBuilder, Action{RmqClientOptions}?)"/>, with the options already made.</summary>
    /// <exception cref="ArgumentException">The options cannot work; the message says which one.</exception>
    public static IClientBuilder AddRmqClient(this IClientBuilder builder, RmqClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException($"Invalid Rmq client option: {problem}", nameof(options));

        if (options.Clustering == RmqClientClustering.Localhost)
        {
            builder.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
        }
        else
        {
            var redis = RedisConfiguration.Create(options.RedisConnectionString!, options.RedisTlsCaCertificate);
            builder.UseRedisClustering(o => o.ConfigurationOptions = redis);
            builder.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
        }
        return builder;
    }
}
