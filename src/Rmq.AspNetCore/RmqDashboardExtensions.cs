using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rmq.AspNetCore;
using Rmq.AspNetCore.Dashboard;
using Rmq.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Rmq dashboard in an ASP.NET Core application that hosts an Rmq silo (<c>UseOrleans(s => s.AddRmq(...))</c>):
/// <c>services.AddRmqDashboard()</c> and <c>app.MapRmqDashboard("/rmq")</c>.
/// </summary>
public static class RmqDashboardExtensions
{
    /// <summary>
    /// Registers the dashboard's services: its one-second history of every queue (a hosted service) and this silo's
    /// rate counters. The application must host an Rmq silo (<c>AddRmq</c>) in the same process.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range (the message names it).</exception>
    public static IServiceCollection AddRmqDashboard(this IServiceCollection services, Action<RmqDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new RmqDashboardOptions();
        configure?.Invoke(options);
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(configure));
        services.AddSingleton(options);
        services.TryAddSingleton<RedisStatsReader>();
        services.AddSingleton<CleanerReturnsCounter>();
        services.AddSingleton<DashboardHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardHistory>());
        return services;
    }

    /// <summary>
    /// Maps the dashboard under <paramref name="prefix"/>: the page at <c>{prefix}/</c> (<c>{prefix}</c> redirects
    /// there), its files under <c>{prefix}/dashboard/</c>, its JSON API and live events under <c>{prefix}/api/</c>, and
    /// Go rmq's stats overview at <c>{prefix}/stats</c> and <c>{prefix}/stats.json</c>. Returns the group, so the
    /// application's own policies apply to all of it: <c>.RequireAuthorization("rmq-admin")</c>, <c>.RequireHost(...)</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="AddRmqDashboard"/> was not called.</exception>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> does not start with '/'.</exception>
    public static RouteGroupBuilder MapRmqDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (!prefix.StartsWith('/'))
            throw new ArgumentException($"The dashboard's prefix is '{prefix}'; it must be a path starting with '/', such as \"/rmq\".", nameof(prefix));
        // Created now, so the cleaner's returns count from the start.
        _ = endpoints.ServiceProvider.GetService<CleanerReturnsCounter>()
            ?? throw new InvalidOperationException("MapRmqDashboard needs the dashboard's services: call builder.Services.AddRmqDashboard() first.");
        var group = endpoints.MapGroup(prefix.TrimEnd('/'));
        group.MapGet("/", Dashboard.Index);
        group.MapGet("/dashboard/{file}", Dashboard.File);
        group.MapGet("/stats", StatsEndpoints.PageAsync);
        group.MapGet("/stats.json", StatsEndpoints.JsonAsync);
        DashboardApi.MapDashboardApi(group);
        return group;
    }
}
