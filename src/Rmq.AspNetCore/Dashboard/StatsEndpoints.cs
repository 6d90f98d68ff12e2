using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Rmq.Redis;
using Rmq.Statistics;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>Go rmq's stats overview beside the dashboard: <c>stats</c> (its handler's HTML layout) and <c>stats.json</c>.</summary>
internal static class StatsEndpoints
{
    // Enum values as their names ("Consuming", not 2): the JSON is read by people and scripts.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static async Task<IResult> PageAsync(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store, string? layout, string? refresh, CancellationToken cancellationToken)
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

    public static async Task<IResult> JsonAsync(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store, CancellationToken cancellationToken)
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
}
