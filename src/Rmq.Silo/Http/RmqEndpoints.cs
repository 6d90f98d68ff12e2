using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rmq.Diagnostics;
using Rmq.Redis;
using Rmq.Statistics;
using Rmq.Silo.Metrics;

namespace Rmq.Silo.Http;

/// <summary>The silo's HTTP surface besides the dashboard: <c>/stats</c> (Go rmq's layout), <c>/stats.json</c>, <c>/metrics</c>, <c>/health</c>.</summary>
internal static class RmqEndpoints
{
    // Enum values as their names ("Consuming", not 2): the JSON is read by people and scripts.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static WebApplication MapRmqEndpoints(this WebApplication app)
    {
        // The gauges read Redis right before the exporter collects, so a scrape matches Redis.
        app.UseWhen(c => c.Request.Path == "/metrics", metrics => metrics.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<QueueGauges>().RefreshAsync(context.RequestAborted);
            await next(context);
        }));
        app.UseOpenTelemetryPrometheusScrapingEndpoint();
        app.MapGet("/stats", StatsPageAsync);
        app.MapGet("/stats.json", StatsJsonAsync);
        app.MapGet("/health", HealthAsync);
        return app;
    }

    private static async Task<IResult> StatsPageAsync(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store, string? layout, string? refresh, CancellationToken cancellationToken)
    {
        int? seconds = null;
        if (!string.IsNullOrEmpty(refresh))
        {
            if (!int.TryParse(refresh, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                return Results.BadRequest($"refresh is '{refresh}'; it must be a whole number of seconds, at least 1.");
            seconds = parsed;
        }
        try
        {
            var stats = await ConsumingStatuses.AddToAsync(await reader.ReadAsync(cancellationToken), grains, store);
            return Results.Content(StatsPage.Render(stats, layout, seconds), "text/html; charset=utf-8");
        }
        catch (RedisUnavailableException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> StatsJsonAsync(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Json(await ConsumingStatuses.AddToAsync(await reader.ReadAsync(cancellationToken), grains, store), JsonOptions);
        }
        catch (RedisUnavailableException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<IResult> HealthAsync(RedisConnection redis, IClusterMembershipService membership, ILocalSiloDetails silo,
        LocalQueueStatuses queues, CancellationToken cancellationToken)
    {
        string redisStatus;
        try
        {
            var db = await redis.GetDatabaseAsync();
            await db.PingAsync().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            redisStatus = "ok";
        }
        catch (Exception e) when (e is RedisUnavailableException or TimeoutException || RedisConnection.IsUnavailable(e))
        {
            redisStatus = e.Message;
        }
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var healthy = redisStatus == "ok" && status == SiloStatus.Active;
        var active = snapshot.Members.Count(m => m.Value.Status == SiloStatus.Active);
        // A stalled queue does not make the silo unfit to serve (restarting it would not help the
        // queue): it answers 200, "degraded", and names the queues and why.
        var stalled = queues.Snapshot().Where(q => q.Status.Stalled)
            .Select(q => new StalledQueue(q.Queue, q.Status.StalledReason ?? "", q.Status.State.ToString())).ToList();
        var verdict = !healthy ? "unhealthy" : stalled.Count > 0 ? "degraded" : "healthy";
        var report = new HealthReport(verdict, redisStatus, status.ToString(), silo.SiloAddress.ToString(), active, stalled);
        return Results.Json(report, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
