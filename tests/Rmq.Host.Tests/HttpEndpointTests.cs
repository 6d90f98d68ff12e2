using System.Net;
using System.Text.Json;
using Rmq.Demo;

namespace Rmq.Host.Tests;

[Collection(SingleSiloCollection.Name)]
public sealed class HttpEndpointTests(SingleSiloFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_ParseAsPrometheusText_AndCountersMatchWhatWasPublishedAndAcked()
    {
        var queue = SingleSiloFixture.UniqueName("metrics");
        var idle = SingleSiloFixture.UniqueName("metrics-idle");
        const int published = 300;
        // One in ten starts with "bad": the demo consumers reject those and ack the rest.
        var payloads = Enumerable.Range(0, published).Select(i => i % 10 == 0 ? $"bad {i}" : $"job {i}").ToList();
        var grain = fixture.Client.Queue(queue);
        await grain.StartConsuming(prefetchLimit: 50, pollInterval: TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 4; i++) await grain.AddConsumer("metrics", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(1000 + i));
        foreach (var chunk in payloads.Chunk(100)) await grain.PublishBatch(chunk);
        for (var i = 0; i < 7; i++) await fixture.Client.Queue(idle).Publish($"waiting {i}");

        await Eventually.Equal(0L, async () => await fixture.Db.ListLengthAsync(fixture.Keys.Ready(queue)) + await fixture.UnackedAsync(queue), "ready + unacked of the consumed queue");
        await grain.StopConsuming();

        var response = await fixture.Silo.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine(text);
        var metrics = PrometheusText.Parse(text);

        var rejected = payloads.Count(p => p.StartsWith("bad", StringComparison.Ordinal));
        Assert.Equal(published, metrics.Value("rmq_published_total", queue));
        Assert.Equal(published, metrics.Value("rmq_delivered_total", queue));
        Assert.Equal(published - rejected, metrics.Value("rmq_acked_total", queue));
        Assert.Equal(rejected, metrics.Value("rmq_rejected_total", queue));
        Assert.Equal(7, metrics.Value("rmq_published_total", idle));
        Assert.Equal("counter", metrics.Types["rmq_published_total"]);
        Assert.Equal("histogram", metrics.Types["rmq_consume_duration_milliseconds"]);

        // The gauges say what Redis holds at the scrape.
        Assert.Equal("gauge", metrics.Types["rmq_queue_ready"]);
        Assert.Equal(await fixture.Db.ListLengthAsync(fixture.Keys.Rejected(queue)), metrics.Value("rmq_queue_rejected", queue));
        Assert.Equal(rejected, metrics.Value("rmq_queue_rejected", queue));
        Assert.Equal(0, metrics.Value("rmq_queue_ready", queue));
        Assert.Equal(0, metrics.Value("rmq_queue_unacked", queue));
        Assert.Equal(7, metrics.Value("rmq_queue_ready", idle));
        Assert.Equal(await fixture.Db.ListLengthAsync(fixture.Keys.Ready(idle)), metrics.Value("rmq_queue_ready", idle));

        // A change in Redis shows at the next scrape.
        await fixture.Db.ListLeftPushAsync(fixture.Keys.Ready(idle), "pushed by someone else");
        var again = PrometheusText.Parse(await fixture.Silo.GetStringAsync("metrics"));
        Assert.Equal(8, again.Value("rmq_queue_ready", idle));
    }

    [Fact]
    public async Task Health_IsHealthy_WhenRedisAnswersAndTheSiloIsActive()
    {
        var response = await fixture.Silo.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await fixture.Silo.GetHealthAsync();
        Assert.NotNull(health);
        Assert.Equal("healthy", health.Status);
        Assert.Equal("ok", health.Redis);
        Assert.Equal("Active", health.Silo);
        Assert.Equal(1, health.ActiveSilos);
    }

    [Fact]
    public async Task StatsJson_ShowsTheCountsRedisHolds()
    {
        var queue = SingleSiloFixture.UniqueName("json");
        await fixture.Client.Queue(queue).PublishBatch(["a", "b", "c"]);
        await fixture.Db.ListLeftPushAsync(fixture.Keys.Rejected(queue), "r");

        using var json = JsonDocument.Parse(await fixture.Silo.GetStringAsync("stats.json"));
        var entry = json.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
        Assert.Equal(await fixture.Db.ListLengthAsync(fixture.Keys.Ready(queue)), entry.GetProperty("readyCount").GetInt64());
        Assert.Equal(3, entry.GetProperty("readyCount").GetInt64());
        Assert.Equal(1, entry.GetProperty("rejectedCount").GetInt64());
        var listed = (await fixture.Db.SetMembersAsync("rmq::queues")).Select(v => (string)v!).Order(StringComparer.Ordinal);
        Assert.Equal(listed, json.RootElement.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task StatsPage_RejectsARefreshThatIsNotAWholeNumberOfSeconds()
    {
        var response = await fixture.Silo.GetAsync("stats?refresh=%22%3E%3Cscript%3E");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("refresh", await response.Content.ReadAsStringAsync());
    }
}
