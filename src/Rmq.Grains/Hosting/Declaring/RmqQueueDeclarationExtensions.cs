using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Rmq;
using Rmq.Hosting.Declaring;

// The usual home of Orleans builder extensions, so `silo.AddRmqQueue()` needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>Declares queues in code, applied when the silo starts.</summary>
public static class RmqQueueDeclarationExtensions
{
    /// <summary>
    /// Declares the consuming state of queue <paramref name="name"/>: prefetch, poll interval, push queue,
    /// retry policy and consumers. When the silo becomes active the queue is made so
    /// (<see cref="IQueueGrain.Declare"/>): a first start starts consuming; a later start with changed
    /// settings changes them (the engine restarts without losing or duplicating a delivery), adds the new
    /// consumers and removes those no longer declared. Needs <c>AddRmq</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid queue name.</exception>
    /// <exception cref="InvalidOperationException">The queue is declared twice.</exception>
    public static ISiloBuilder AddRmqQueue(this ISiloBuilder builder, string name, Action<RmqQueueBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        QueueNames.Validate(name, nameof(name));
        var queues = DeclaredQueues(builder.Services);
        configure(queues.Add(name));
        return builder;
    }

    private static DeclaredQueues DeclaredQueues(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(DeclaredQueues))?.ImplementationInstance is DeclaredQueues existing) return existing;
        var queues = new DeclaredQueues();
        services.AddSingleton(queues);
        services.AddSingleton<DeclarationApplier>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DeclarationApplier>());
        return queues;
    }
}
