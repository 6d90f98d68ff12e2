using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// Redis restarted mid-stream (append-only file, fsync always): publishes during the outage fail with
/// a clear exception, consuming resumes by itself, and no delivery is lost.
/// </summary>
public sealed class RedisRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Total = 10_000;
    private RedisServer _redis = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(durable: true);
        _cluster = await RmqTestCluster.DeployAsync(2, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = $"{_redis.Endpoint},connectTimeout=1000",
            ["CleanerInterval"] = "00:00:01",
        });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(_cluster);
        await _redis.DisposeAsync();
    }


    [Fact]
    public async Task RedisRestartedMidStream_NothingLost_ConsumingResumes()
    {
        var name = $"restart-{Guid.NewGuid():N}"[..16];
        var queue = _cluster.Client.GetGrain<IQueueGrain>(name);
        for (var i = 0; i < Total; i += 1000)
            await queue.PublishBatch(Enumerable.Range(i, 1000).Select(n => $"p{n}").ToList());
        await queue.StartConsuming(100, TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 10; i++)
            await queue.AddConsumer("restart", _cluster.Client.GetGrain<IRecordingConsumerGrain>($"{name}-{i}"));
        await Eventually.True(() => Task.FromResult(ConsumptionLog.Of(name).Count >= 2_000), "2,000 consumed", 30);

        await _redis.StopAsync();
        var down = Stopwatch.GetTimestamp();
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.Publish("during the outage"));
        Assert.Contains(_redis.Endpoint, e.Message);
        output.WriteLine($"publish during the outage: {e.Message}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var consumedWhileDown = ConsumptionLog.Of(name).Count;
        await _redis.RestartAsync();
        var up = Stopwatch.GetTimestamp();

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var db = redis.GetDatabase();
        var keys = new RedisKeys(KeyDialect.Classic);
        await Eventually.True(async () =>
        {
            if (ConsumptionLog.Of(name).Select(r => r.Payload).Distinct().Count() < Total) return false;
            if (await db.ListLengthAsync(keys.Ready(name)) > 0) return false;
            var connection = await queue.GetConnectionName();
            return connection is not null && await db.ListLengthAsync(keys.Unacked(connection, name)) == 0;
        }, "every delivery consumed, ready and unacked empty", 90);

        var log = ConsumptionLog.Of(name);
        var firstAfter = log.Where(r => r.Timestamp > up).Select(r => r.Timestamp).DefaultIfEmpty(long.MaxValue).Min();
        output.WriteLine($"Redis down {Stopwatch.GetElapsedTime(down, up).TotalSeconds:F1} s; {consumedWhileDown} consumed by then; " +
                         $"first consumption {Stopwatch.GetElapsedTime(up, firstAfter).TotalMilliseconds:F0} ms after restart; " +
                         $"{log.Count} consumptions of {Total} payloads ({log.Count - log.Select(r => r.Payload).Distinct().Count()} duplicates)");
        Assert.Equal(0, await db.ListLengthAsync(keys.Rejected(name)));
        await queue.Publish("after the restart");
        Assert.Equal(Enumerable.Range(0, Total).Select(n => $"p{n}").Order(), log.Select(r => r.Payload).Distinct().Order());
        await queue.StopConsuming();
    }
}
