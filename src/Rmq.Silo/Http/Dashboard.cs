using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Rmq.Silo.Http;

/// <summary>
/// The dashboard: the page at <c>/</c>, its files under <c>/dashboard/</c> (embedded in this assembly:
/// no CDN, works offline) and its API under <c>/api/</c>.
/// </summary>
internal static class Dashboard
{
    private const string ResourcePrefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(Dashboard).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    };

    public static IServiceCollection AddDashboard(this IServiceCollection services, DashboardOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<RateCounters>();
        services.AddSingleton<DashboardHistory>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardHistory>());
        return services;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        // Created now, so the rates count from the start.
        app.Services.GetRequiredService<RateCounters>();
        app.MapGet("/", () => File("index.html"));
        app.MapGet("/dashboard/{file}", (string file) => File(file));
        app.MapDashboardApi();
        return app;
    }

    private static IResult File(string name)
    {
        var stream = Assembly.GetManifestResourceStream(ResourcePrefix + name);
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
        {
            stream?.Dispose();
            return Results.NotFound();
        }
        return Results.Stream(stream, type);
    }
}
