using System.Net;
using System.Text.Json;
using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>
/// A queue that has work but makes no progress says so, where an operator looks: /health (degraded,
/// still 200), /stats.json, and the rmq_queue_stalled gauge. Its own silo process, with a 2 s stall timeout.
/// </summary>
public sealed class StallReportingTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private SiloProcess _silo = null!;
    private RmqClient _client = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _silo = SiloProcess.Start("stall", _redis.Endpoint, "--Rmq:CleanerEnabled", "false", "--Rmq:StallTimeout", "00:00:02");
        await _silo.WaitHealthyAsync();
        _client = await RmqClient.ConnectAsync(o => o.GatewayPort = _silo.GatewayPort);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_silo is not null) await _silo.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }

    [Fact]
    public async Task AConsumingQueueWithWorkButNoConsumer_IsReportedStalled_UntilItMovesAgain()
    {
        var name = SingleSiloFixture.UniqueName("stalled");
        var queue = _client.Queue(name);
        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(20));
        await queue.PublishBatch(["a", "b", "c"]);

        await Eventually.True(async () => (await _silo.GetHealthAsync())?.Status == "degraded", "/health degraded", 15);
        var response = await _silo.GetAsync("health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            var stalled = health.RootElement.GetProperty("stalledQueues").EnumerateArray().Single();
            Assert.Equal(name, stalled.GetProperty("queue").GetString());
            Assert.Contains("no consumers are registered", stalled.GetProperty("reason").GetString());
        }
        using (var stats = JsonDocument.Parse(await _silo.GetStringAsync("stats.json")))
        {
            var consuming = stats.RootElement.GetProperty("queues").EnumerateArray()
                .Single(q => q.GetProperty("name").GetString() == name).GetProperty("consuming");
            Assert.True(consuming.GetProperty("stalled").GetBoolean());
            Assert.Equal("Consuming", consuming.GetProperty("state").GetString());
            Assert.Equal(3, consuming.GetProperty("prefetched").GetInt32());
        }
        Assert.Equal(1, PrometheusText.Parse(await _silo.GetStringAsync("metrics")).Value("rmq_queue_stalled", name));

        await queue.AddConsumer("late", _client.Grains.GetGrain<IDemoConsumerGrain>(1));
        await Eventually.True(async () => (await _silo.GetHealthAsync())?.Status == "healthy", "/health healthy again", 15);
        Assert.Equal(0, PrometheusText.Parse(await _silo.GetStringAsync("metrics")).Value("rmq_queue_stalled", name));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var keys = new RedisKeys(KeyDialect.Classic);
        await Eventually.Equal(0L, () => redis.GetDatabase().ListLengthAsync(keys.Ready(name)), "ready");
        await queue.StopConsuming();
    }

    [Fact]
    public async Task APausedQueueWithWork_IsNotReportedStalled_AndShowsPausedInStatsAndMetrics()
    {
        var name = SingleSiloFixture.UniqueName("paused");
        var queue = _client.Queue(name);
        await queue.StartConsuming(10, TimeSpan.FromMilliseconds(20));
        await queue.PublishBatch(["a", "b", "c"]);
        await queue.Pause();

        // Three stall timeouts with work waiting and nothing consumed: paused on purpose, not stalled.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal("healthy", (await _silo.GetHealthAsync())?.Status);
        using (var stats = JsonDocument.Parse(await _silo.GetStringAsync("stats.json")))
        {
            var entry = stats.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == name);
            Assert.Equal(3, entry.GetProperty("readyCount").GetInt64());
            var consuming = entry.GetProperty("consuming");
            Assert.Equal("Paused", consuming.GetProperty("state").GetString());
            Assert.True(consuming.GetProperty("paused").GetBoolean());
            Assert.False(consuming.GetProperty("stalled").GetBoolean());
            Assert.Equal(0, consuming.GetProperty("prefetched").GetInt32());
        }
        Assert.Contains("<td>paused</td>", await _silo.GetStringAsync("stats"));
        var metrics = PrometheusText.Parse(await _silo.GetStringAsync("metrics"));
        Assert.Equal(0, metrics.Value("rmq_queue_stalled", name));
        Assert.Equal(1, metrics.Value("rmq_queue_paused", name));

        await queue.Resume();
        await Eventually.True(async () => (await _silo.GetHealthAsync())?.Status == "degraded", "stalled once resumed (no consumers)", 15);
        Assert.Equal(0, PrometheusText.Parse(await _silo.GetStringAsync("metrics")).Value("rmq_queue_paused", name));
        await queue.StopConsuming();
    }
}
