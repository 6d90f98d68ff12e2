using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rmq.AspNetCore.Health;
using Rmq.Silo.Metrics;

namespace Rmq.Silo.Http;

/// <summary>
/// The host's HTTP surface besides the dashboard (Rmq.AspNetCore, mapped at <c>/</c>): <c>/metrics</c> (Prometheus,
/// the gauges read from Redis right before each scrape) and <c>/health</c> (<see cref="RmqHealthCheck"/> as JSON).
/// </summary>
internal static class RmqEndpoints
{
    public static WebApplication MapRmqEndpoints(this WebApplication app)
    {
        // The gauges read Redis right before the exporter collects, so a scrape matches Redis.
        app.UseWhen(c => c.Request.Path == "/metrics", metrics => metrics.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<QueueGauges>().RefreshAsync(context.RequestAborted);
            await next(context);
        }));
        app.UseOpenTelemetryPrometheusScrapingEndpoint();
        app.MapGet("/health", HealthAsync);
        return app;
    }

    // A stalled queue does not make the silo unfit to serve (restarting it would not help the queue): 200, "degraded".
    private static async Task<IResult> HealthAsync(RmqHealthCheck health, CancellationToken cancellationToken)
    {
        var report = await health.ProbeAsync(cancellationToken);
        return Results.Json(report, statusCode: report.IsServing ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
