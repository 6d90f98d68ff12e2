using Microsoft.Extensions.DependencyInjection;
using Rmq.Publishing;

// The usual home of registration extensions, so `services.AddRmqPublisher()` needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the client library's direct publisher.</summary>
public static class RmqPublisherServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="RmqPublisher"/> (a singleton; it connects to Redis on first use and is
    /// disposed with the container). Options that cannot work throw when it is first resolved.
    /// </summary>
    public static IServiceCollection AddRmqPublisher(this IServiceCollection services, Action<RmqPublisherOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ =>
        {
            var options = new RmqPublisherOptions();
            configure?.Invoke(options);
            return new RmqPublisher(options);
        });
        return services;
    }
}
