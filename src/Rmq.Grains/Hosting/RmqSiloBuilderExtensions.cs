using Rmq.LongJobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Rmq.Cleaner;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Recurring;
using Rmq.Redis;

// The usual home of Orleans builder extensions, so `silo.AddRmq()` needs no extra using.
namespace Microsoft.Extensions.Hosting;

/// <summary>Adds Rmq's grains and Redis store to a silo.</summary>
public static class RmqSiloBuilderExtensions
{
    /// <summary>Adds Rmq, configured in code: <c>silo.AddRmq(o => o.RedisConnectionString = "...")</c>.</summary>
    public static ISiloBuilder AddRmq(this ISiloBuilder builder, Action<RmqOptions>? configure = null)
    {
        builder.Services.AddRmq(configure);
        return builder;
    }

    /// <summary>Adds Rmq, bound from a configuration section (usually <c>Rmq</c>).</summary>
    public static ISiloBuilder AddRmq(this ISiloBuilder builder, IConfiguration section)
    {
        builder.Services.Configure<RmqOptions>(section);
        builder.Services.AddRmq();
        return builder;
    }

    /// <summary>Registers Rmq's services; see <see cref="RmqOptions"/> for the settings.</summary>
    public static IServiceCollection AddRmq(this IServiceCollection services, Action<RmqOptions>? configure = null)
    {
        var options = services.AddOptions<RmqOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddSingleton<IConfigurationValidator, RmqOptionsValidator>();
        services.AddSingleton<RedisConnection>();
        // No StackExchange.Redis exception crosses a grain boundary: each becomes one of Rmq's (RedisErrors).
        services.AddSingleton<IIncomingGrainCallFilter, RedisErrorFilter>();
        // Long-running consumers' leases are kept by the silo that runs them (LongJobs/LeaseKeeper.cs).
        services.AddSingleton<IIncomingGrainCallFilter, LeaseKeeper>();
        services.AddSingleton<RedisQueueStore>();
        services.AddSingleton<RecurringJobs>();
        services.AddSingleton<MembershipWatcher>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<MembershipWatcher>());
        services.AddMetrics();
        services.AddSingleton<LocalQueueStatuses>();
        services.AddSingleton<RmqMetrics>();
        return services;
    }
}
