using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace Rmq.Aspire.Tests;

/// <summary>
/// The Aspire sample (samples/Rmq.Samples.AppHost) as Aspire.Hosting.Testing runs it: DCP starts the local
/// redis-server, two replicas of the silo sample and the API sample; both silos join one Orleans cluster (Redis
/// membership), orders posted to the API are consumed by the silos' consumer grain, Redis holds nothing left, and
/// the acks are exported through OpenTelemetry (OTLP) from the meter "Rmq".
/// </summary>
public sealed class AspireSampleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task AppHost_RunsRedisTwoSilosAndTheApi_AndAPostedOrderIsConsumed()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ct = cancel.Token;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Rmq_Samples_AppHost>(ct);
        // The silos' OpenTelemetry metrics (meter "Rmq") go over OTLP/HTTP to this receiver instead of the dashboard's
        // endpoint (the testing builder runs no dashboard); set after the app host's own settings, so these win.
        using var otlp = new OtlpReceiver();
        builder.CreateResourceBuilder<ProjectResource>("silo")
            .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.Endpoint)
            .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        await using var app = await builder.BuildAsync(ct);
        var logs = new ResourceLogs(app.Services.GetRequiredService<ResourceLoggerService>(), app.ResourceNotifications, ct);
        await app.StartAsync(ct);
        try
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync("redis", ct).WaitAsync(StartTimeout, ct);
            // Each replica declares the queue once its silo has started (Applied by the first, Unchanged by the other).
            await logs.WaitForAsync("silo", "Queue orders: declaration ", replicas: 2, StartTimeout);
            await app.ResourceNotifications.WaitForResourceAsync("api", KnownResourceStates.Running, ct).WaitAsync(StartTimeout, ct);

            var redisConnection = await app.GetConnectionStringAsync("redis", ct)
                ?? throw new InvalidOperationException("the app host gave no connection string for redis");
            await using var redis = await ConnectionMultiplexer.ConnectAsync(redisConnection);
            var db = redis.GetDatabase();

            // Both replicas are active members of the cluster "rmq" (Orleans' Redis membership table).
            var members = await ActiveMembersAsync(db);
            Assert.Equal(2, members.Count);
            Assert.Equal(2, members.Select(m => m.SiloAddress).Distinct().Count());

            using var http = app.CreateHttpClient("api", "http");
            http.Timeout = TimeSpan.FromSeconds(10);
            var ids = Enumerable.Range(1, 5).Select(i => $"aspire-{Guid.NewGuid():N}-{i}").ToList();
            foreach (var id in ids)
            {
                using var response = await PostWhenListeningAsync(http, id, ct);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            foreach (var id in ids) await logs.WaitForAsync("silo", $"order consumed: {id} (12.5)", replicas: 1, TimeSpan.FromSeconds(30));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await LeftToConsumeAsync(db) != 0 && DateTime.UtcNow < deadline) await Task.Delay(100, ct);
            Assert.Equal(0, await LeftToConsumeAsync(db));
            Assert.Equal(0, await db.ListLengthAsync("rmq::queue::[orders]::rejected"));
            // Each order consumed once, whichever replica consumed it.
            foreach (var id in ids) Assert.Equal(1, logs.CountLines("silo", $"order consumed: {id} "));

            // The acks reached OpenTelemetry: an OTLP export of meter "Rmq" with rmq.acked for the queue orders.
            deadline = DateTime.UtcNow.AddSeconds(15);
            while (!otlp.ReceivedMetricsWith("Rmq", "rmq.acked", "orders") && DateTime.UtcNow < deadline) await Task.Delay(200, ct);
            Assert.True(otlp.ReceivedMetricsWith("Rmq", "rmq.acked", "orders"),
                $"no OTLP metrics export with rmq.acked for orders ({otlp.MetricExports} exports arrived)");
        }
        finally
        {
            output.WriteLine(logs.Dump());
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Posts an order, trying again while the API's port is not yet listening (Running comes before Kestrel is up).</summary>
    private static async Task<HttpResponseMessage> PostWhenListeningAsync(HttpClient http, string id, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await http.PostAsJsonAsync("/orders", new { id, amount = 12.5m }, ct);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    /// <summary>Deliveries of <c>orders</c> in ready or in any connection's unacked list (Go rmq's key layout).</summary>
    private static async Task<long> LeftToConsumeAsync(IDatabase db)
    {
        var left = await db.ListLengthAsync("rmq::queue::[orders]::ready");
        foreach (var connection in await db.SetMembersAsync("rmq::connections"))
            left += await db.ListLengthAsync($"rmq::connection::{connection}::queue::[orders]::unacked");
        return left;
    }

    /// <summary>The members of cluster "rmq" (service "rmq") whose status is Active, from Orleans' Redis membership hash.</summary>
    private static async Task<List<(string SiloAddress, string SiloName)>> ActiveMembersAsync(IDatabase db)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var active = new List<(string, string)>();
            var fields = await db.HashGetAllAsync("rmq/members/rmq");
            foreach (var field in fields)
            {
                // The table's version is a field of the hash too: the members are its JSON objects.
                using var entry = JsonDocument.Parse(field.Value.ToString());
                if (entry.RootElement.ValueKind != JsonValueKind.Object) continue;
                var status = entry.RootElement.GetProperty("Status");
                // SiloStatus.Active is 3 (Newtonsoft writes the enum as its number).
                var isActive = status.ValueKind == JsonValueKind.Number ? status.GetInt32() == 3 : status.GetString() == "Active";
                if (isActive) active.Add((field.Name.ToString(), entry.RootElement.GetProperty("SiloName").GetString() ?? ""));
            }
            if (active.Count >= 2) return active;
            if (DateTime.UtcNow >= deadline)
                throw new Xunit.Sdk.XunitException($"{active.Count} active members in rmq/members/rmq, not 2: " +
                    string.Join(" | ", fields.Select(f => $"{f.Name} = {f.Value}")));
            await Task.Delay(250);
        }
    }
}
