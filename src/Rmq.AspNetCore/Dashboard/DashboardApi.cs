using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Rmq.Hosting;
using Rmq.Redis;
using Rmq.Statistics;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's JSON API under <c>/api/</c>: reads (overview, a queue, browsing, history, cluster,
/// server-sent events) and actions (POST, refused with 403 unless <see cref="DashboardAccess"/> allows them).
/// Queue names travel in <c>?name=</c>, so any valid name (with '/' or '%') is unambiguous.
/// </summary>
internal static class DashboardApi
{
    private const int DefaultPage = 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static void MapDashboardApi(IEndpointRouteBuilder dashboard)
    {
        var api = dashboard.MapGroup("/api");
        api.MapGet("/overview", OverviewAsync);
        api.MapGet("/queue", QueueAsync);
        api.MapGet("/queue/ready", (RedisQueueStore s, string? name, string? offset, string? count, string? order) =>
            BrowseAsync(s, BrowsedList.Ready, name, offset, count, order));
        api.MapGet("/queue/rejected", (RedisQueueStore s, string? name, string? offset, string? count, string? order) =>
            BrowseAsync(s, BrowsedList.Rejected, name, offset, count, order));
        api.MapGet("/history", History);
        api.MapGet("/cluster", ClusterAsync);
        api.MapGet("/events", EventsAsync);
        api.MapPost("/queue/{action}", ActAsync);
    }

    private static IResult Ok<T>(T value) => Results.Json(value, Json);

    private static IResult Error(int status, string message) => Results.Json(new ApiError(message), Json, statusCode: status);

    private static string? NameProblem(string? name) =>
        QueueNames.Problem(name) is { } problem ? $"?name= is not a valid queue name: {problem}." : null;

    private static async Task<IResult> Guarded(Func<Task<IResult>> read)
    {
        try
        {
            return await read();
        }
        catch (RedisUnavailableException e)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    private static Task<IResult> OverviewAsync(RedisStatsReader reader, IGrainFactory grains, RedisQueueStore store, CancellationToken ct) =>
        Guarded(async () =>
        {
            var overview = await ConsumingStatuses.AddToAsync(await reader.ReadAsync(ct), grains, store);
            return Ok(new { queues = overview.Queues.Select(QueueSummary.From), otherConnections = overview.OtherConnections });
        });

    private static Task<IResult> QueueAsync(string? name, IGrainFactory grains, RedisQueueStore store, IOptions<RmqOptions> rmq) =>
        NameProblem(name) is { } problem ? Task.FromResult(Error(StatusCodes.Status400BadRequest, problem)) : Guarded(async () =>
        {
            var stats = await store.GetStatsAsync(name!);
            var connections = (await store.ConnectionDetailsAsync(name!)).Select(c => View(c, rmq.Value.HeartbeatTtl)).ToList();
            var row = new QueueOverview(name!, stats.ReadyCount, stats.RejectedCount,
                connections.Select(c => new QueueConnectionOverview(c.Name, c.Active, c.Unacked, c.Consumers.Count)).ToList(),
                null, stats.ScheduledCount, stats.RetriedCount, stats.DeadLetteredCount, stats.RecurringCount);
            // The engine's status as /stats.json asks for it: only of a queue configured as consuming.
            var overview = await ConsumingStatuses.AddToAsync(new StatsOverview([row], []), grains, store);
            var queue = overview.Queues[0];
            return Ok(new QueueDetail(QueueSummary.From(queue), queue.Consuming, connections));
        });

    private static ConnectionView View(QueueConnectionDetail c, TimeSpan rmqTtl)
    {
        // Go rmq sets its heartbeat with a one-minute TTL; Rmq's connections carry their owner silo.
        var full = c.Silo is null ? TimeSpan.FromMinutes(1) : rmqTtl;
        double? ttl = c.Active ? Math.Round(c.HeartbeatTtl!.Value.TotalSeconds, 1) : null;
        double? age = c.Active ? Math.Max(0, Math.Round((full - c.HeartbeatTtl!.Value).TotalSeconds, 1)) : null;
        return new ConnectionView(c.Name, c.Silo, c.Active, c.Silo is null, ttl, age, c.UnackedCount, c.Consumers);
    }

    private static Task<IResult> BrowseAsync(RedisQueueStore store, BrowsedList list, string? name, string? offset, string? count, string? order)
    {
        if (NameProblem(name) is { } problem) return Task.FromResult(Error(StatusCodes.Status400BadRequest, problem));
        long from = 0;
        if (offset is { Length: > 0 } && (!long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out from) || from > int.MaxValue))
            return Task.FromResult(Error(StatusCodes.Status400BadRequest, $"?offset= is '{offset}'; it must be a whole number from 0 to {int.MaxValue}."));
        var take = DefaultPage;
        if (count is { Length: > 0 } && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > RedisQueueStore.MaxBrowse))
            return Task.FromResult(Error(StatusCodes.Status400BadRequest, $"?count= is '{count}'; it must be a whole number from 1 to {RedisQueueStore.MaxBrowse}."));
        var newest = order is null or "" or "newest";
        if (!newest && order != "oldest")
            return Task.FromResult(Error(StatusCodes.Status400BadRequest, $"?order= is '{order}'; it must be newest (the default) or oldest."));
        return Guarded(async () =>
        {
            var page = await store.BrowseAsync(name!, list, from, take, newest);
            var deliveries = page.Elements.Select((e, i) => DeliveryView.From(from + i, e)).ToList();
            return Ok(new BrowsePage(name!, list == BrowsedList.Ready ? "ready" : "rejected", newest ? "newest" : "oldest", from, take, page.Total, deliveries));
        });
    }

    private static IResult History(DashboardHistory history, string? name)
    {
        if (name is not null && NameProblem(name) is { } problem) return Error(StatusCodes.Status400BadRequest, problem);
        var samples = history.Samples();
        if (name is null) return Ok(new { countersArePerSilo = false, samples });
        return Ok(new
        {
            countersArePerSilo = false,
            samples = samples.Select(s => new { s.Time, queue = s.Queues.FirstOrDefault(q => q.Name == name) }).Where(s => s.queue is not null),
        });
    }

    private static Task<IResult> ClusterAsync(IClusterMembershipService membership, ILocalSiloDetails local, RedisStatsReader reader, RedisQueueStore store,
        CleanerReturnsCounter counters, IGrainFactory grains, CancellationToken ct) =>
        Guarded(async () =>
        {
            var lastPass = LastCleanerPassAsync(grains);
            var owners = await store.ConnectionSilosAsync();
            var overview = await reader.ReadAsync(ct);
            var queueConnections = overview.Queues.SelectMany(q => q.Connections.Select(c => (Queue: q.Name, Connection: c))).ToList();
            var silos = membership.CurrentSnapshot.Members.Values
                .OrderBy(m => m.Status == SiloStatus.Active ? 0 : 1).ThenBy(m => m.Name, StringComparer.Ordinal)
                .Select(m =>
                {
                    var address = m.SiloAddress.ToParsableString();
                    var mine = queueConnections.Where(p => owners.GetValueOrDefault(p.Connection.Name) == address).ToList();
                    return new SiloView(m.SiloAddress.ToParsableString(), m.Name, m.Status.ToString(), m.SiloAddress.Equals(local.SiloAddress),
                        mine.Select(p => p.Queue).Distinct().Order(StringComparer.Ordinal).ToList(),
                        mine.Select(p => p.Connection.Name).Distinct().Order(StringComparer.Ordinal).ToList());
                }).ToList();
            var goRmq = queueConnections.Where(p => !owners.ContainsKey(p.Connection.Name))
                .Select(p => new ConnectionView(p.Connection.Name, null, p.Connection.Active, true, null, null, p.Connection.UnackedCount, []))
                .Concat(overview.OtherConnections.Where(c => !owners.ContainsKey(c.Name))
                    .Select(c => new ConnectionView(c.Name, null, c.Active, true, null, null, 0, [])))
                .DistinctBy(c => c.Name).ToList();
            return Ok(new ClusterView(silos, goRmq, counters.Cleaner,
                "Counted while the cleaner ran on this silo. Every silo's count: rmq_cleaner_returned_total on /metrics.",
                await lastPass));
        });

    /// <summary>The cleaner grain's last pass; null when it has made none or does not answer in time (the view still renders).</summary>
    private static async Task<CleanerPass?> LastCleanerPassAsync(IGrainFactory grains)
    {
        try
        {
            return await grains.GetGrain<ICleanerGrain>(0).GetLastPass().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or RedisUnavailableException)
        {
            return null;
        }
    }

    private static async Task EventsAsync(HttpContext context, DashboardHistory history, IHostApplicationLifetime lifetime)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        // Ends with the request or with the host: an open page must not hold up a graceful shutdown.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var stop = linked.Token;
        await context.Response.WriteAsync(": rmq dashboard events\n\n", stop);
        await context.Response.Body.FlushAsync(stop);
        try
        {
            await foreach (var sample in history.Follow(stop).ReadAllAsync(stop))
            {
                await context.Response.WriteAsync($"event: sample\ndata: {JsonSerializer.Serialize(sample, Json)}\n\n", stop);
                await context.Response.Body.FlushAsync(stop);
            }
        }
        catch (OperationCanceledException) { /* the page went away */ }
    }

    private static async Task<IResult> ActAsync(HttpContext context, string action, string? name, string? max, string? consumer, string? prefetch, string? poll, string? delivery, IGrainFactory grains, RedisQueueStore store,
        RmqDashboardOptions options, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger("Rmq.AspNetCore.Dashboard");
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var queue = name ?? "";
        var presented = context.Request.Headers[RmqDashboardOptions.ApiKeyHeader] is { Count: > 0 } h ? h.ToString() : null;
        var request = context.Request;
        // The application's policy ran only if the endpoint asks for one and nothing around it allows anonymous access
        // (AllowAnonymous anywhere wins over RequireAuthorization); and whoever passed it is signed in.
        var metadata = context.GetEndpoint()?.Metadata;
        var authorized = metadata?.GetMetadata<IAuthorizeData>() is not null && metadata.GetMetadata<IAllowAnonymous>() is null
            && context.User.Identity?.IsAuthenticated == true;
        if (DashboardAccess.Refusal(context.Connection.RemoteIpAddress, presented, options, request.Headers.Origin.ToString(), request.Host.Value,
                request.Headers["Sec-Fetch-Site"].ToString(), authorized) is { } refusal)
        {
            DashboardLog.Refused(log, action, queue, remote, refusal);
            return Error(StatusCodes.Status403Forbidden, refusal);
        }
        if (NameProblem(name) is { } problem) return Error(StatusCodes.Status400BadRequest, problem);
        long limit = long.MaxValue;
        if (max is { Length: > 0 } && (!long.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            return Error(StatusCodes.Status400BadRequest, $"?max= is '{max}'; it must be a whole number, at least 1 (leave it out for all).");
        int prefetchLimit = 0, pollMs = 0;
        if (action == "update-consuming" && (!TryPositive(prefetch, out prefetchLimit) || !TryPositive(poll, out pollMs)))
            return Error(StatusCodes.Status400BadRequest,
                $"update-consuming needs ?prefetch= and ?poll= (milliseconds), whole numbers of at least 1; they are '{prefetch}' and '{poll}'.");
        if (action == "remove-consumer" && consumer is not { Length: > 0 })
            return Error(StatusCodes.Status400BadRequest, "remove-consumer needs ?consumer=<name>, as the queue's connections list it (<tag>-<6 alphanumerics>).");
        long deliveryId = 0;
        if (action == "cancel-job" && !long.TryParse(delivery, NumberStyles.None, CultureInfo.InvariantCulture, out deliveryId))
            return Error(StatusCodes.Status400BadRequest, $"cancel-job needs ?delivery=<id>, a whole number as the queue's jobs in flight list it; it is '{delivery}'.");
        OneDelivery? one = null;
        byte[]? element = null;
        if (action is "delete" or "requeue")
        {
            try { one = await context.Request.ReadFromJsonAsync<OneDelivery>(Json, context.RequestAborted); }
            catch (JsonException e) { return Error(StatusCodes.Status400BadRequest, $"The body must be JSON {{\"list\":\"ready|rejected\",\"element\":\"<base64>\"}}: {e.Message}"); }
            catch (InvalidOperationException) { return Error(StatusCodes.Status400BadRequest, "The body must be JSON (Content-Type: application/json) {\"list\":\"ready|rejected\",\"element\":\"<base64>\"}."); }
            if (one?.Element is not { Length: > 0 } b64 || !TryBase64(b64, out element))
                return Error(StatusCodes.Status400BadRequest, "\"element\" must be the delivery's raw element in base64, as the browse API returns it.");
            if (action == "delete" && one.List is not ("ready" or "rejected"))
                return Error(StatusCodes.Status400BadRequest, $"\"list\" is '{one.List}'; it must be ready or rejected.");
        }
        var q = grains.GetGrain<IQueueGrain>(queue);
        try
        {
            var (affected, message) = action switch
            {
                "purge-ready" => Done(await q.PurgeReady(), "deleted from ready"),
                "purge-rejected" => Done(await q.PurgeRejected(), "deleted from rejected"),
                "return-rejected" => Done(await q.ReturnRejected(limit), "returned from rejected to ready"),
                "return-unacked" => Done(await q.ReturnUnacked(limit), "returned from dead connections' unacked to ready"),
                "pause" => Done(await Run(q.Pause), "paused"),
                "resume" => Done(await Run(q.Resume), "resumed"),
                "delete" => Done(await store.DeleteOneAsync(queue, one!.List == "ready" ? BrowsedList.Ready : BrowsedList.Rejected, element!) ? 1 : 0,
                    "deleted (0: it was no longer there)"),
                "update-consuming" => Done(await Run(() => q.UpdateConsuming(prefetchLimit, TimeSpan.FromMilliseconds(pollMs))),
                    $"queue consuming with prefetch {prefetchLimit} and poll {pollMs} ms"),
                "remove-consumer" => await q.RemoveConsumer(consumer!) ? Done(1, $"consumer removed ('{consumer}')") : Done(0, ""),
                "cancel-job" => await q.CancelInFlight(deliveryId) ? Done(1, $"job asked to stop (delivery {deliveryId})") : Done(0, ""),
                "requeue" => Done(await store.RequeueRejectedAsync(queue, element!) ? 1 : 0, "moved from rejected to ready (0: it was no longer in rejected)"),
                _ => (-1L, ""),
            };
            if (affected < 0) return Error(StatusCodes.Status404NotFound, $"There is no action '{action}'; use {Actions}.");
            if (action == "remove-consumer" && affected == 0)
                return Error(StatusCodes.Status404NotFound, $"'{queue}' has no consumer '{consumer}'; the queue page lists its consumers by connection.");
            if (action == "cancel-job" && affected == 0)
                return Error(StatusCodes.Status404NotFound, $"'{queue}' has no long-running job in flight with delivery {deliveryId}; it may have ended. The queue page lists the jobs in flight.");
            DashboardLog.Action(log, action, queue, remote, $"{affected} {message}");
            return Ok(new ActionResult(queue, action, affected, $"{affected} {message}"));
        }
        catch (ArgumentException e)
        {
            DashboardLog.Failed(log, action, queue, remote, e);
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (InvalidOperationException e)
        {
            DashboardLog.Failed(log, action, queue, remote, e);
            return Error(StatusCodes.Status409Conflict, e.Message);
        }
        catch (RedisUnavailableException e)
        {
            DashboardLog.Failed(log, action, queue, remote, e);
            return Error(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    private const string Actions =
        "purge-ready, purge-rejected, return-rejected, return-unacked, pause, resume, update-consuming, remove-consumer, cancel-job, delete or requeue";

    private static bool TryPositive(string? text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;

    private static (long, string) Done(long affected, string message) => (affected, message);

    private static async Task<long> Run(Func<Task> action)
    {
        await action();
        return 1;
    }

    private static bool TryBase64(string text, out byte[]? bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var n))
        {
            bytes = bytes[..n];
            return true;
        }
        bytes = null;
        return false;
    }
}
