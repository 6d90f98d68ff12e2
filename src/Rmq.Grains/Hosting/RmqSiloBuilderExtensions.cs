using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Rmq.Cleaner;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.LongJobs;
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

    /// <summary>How much longer than <see cref="RmqOptions.JobMaxRunTime"/> Orleans lets a grain be busy before it takes it for stuck.</summary>
    public static readonly TimeSpan JobProcessingMargin = TimeSpan.FromMinutes(5);

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
        // Orleans takes a grain busy for longer than MaxRequestProcessingTime (2 h by default) for stuck and may activate
        // it a second time: a long job must be able to run its whole JobMaxRunTime, so that limit is raised (never lowered).
        services.AddOptions<SiloMessagingOptions>().PostConfigure<IOptions<RmqOptions>>((messaging, rmq) =>
        {
            var needed = rmq.Value.JobMaxRunTime + JobProcessingMargin;
            if (messaging.MaxRequestProcessingTime < needed) messaging.MaxRequestProcessingTime = needed;
        });
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
