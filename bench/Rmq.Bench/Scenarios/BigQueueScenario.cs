using System.Diagnostics;
using System.Globalization;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>What the big-queue scenario found (bytes, milliseconds, seconds).</summary>
internal sealed record BigQueueReport(
    long Ready,
    int PayloadBytes,
    double FillSeconds,
    long RedisUsedMemoryBefore,
    long RedisUsedMemory,
    long HeapBefore,
    long HeapWithQueue,
    long WorkingSetBefore,
    long WorkingSetWithQueue,
    int StatsCalls,
    double GetStatsP50Ms,
    double GetStatsMaxMs,
    double OverviewP50Ms,
    double OverviewMaxMs,
    double GetStatsConsumingP50Ms,
    double GetStatsConsumingMaxMs,
    double FirstDeliveryMs,
    int ConsumedSample,
    double ConsumedSampleSeconds,
    long HeapConsuming,
    long WorkingSetConsuming,
    double PurgeMs);

/// <summary>
/// One queue whose ready list holds <see cref="BenchSettings.BigQueueReady"/> deliveries (10 million by
/// default), filled with pipelined LPUSH batches straight to Redis. Reports Redis's used_memory, the silo's
/// managed heap and working set (silo and client share this process), the latency of
/// <see cref="IQueueGrain.GetStats"/> and of the stats grain's overview (both read list lengths with LLEN,
/// O(1)), the time from StartConsuming to the first delivery and the rate of the first deliveries, and how
/// long <c>PurgeReady</c> (a DEL of the whole list) takes. Opt-in: not in the default scenario list.
/// </summary>
internal sealed class BigQueueScenario(RmqHost rmq, IDatabase db, BenchSettings settings, Action<string> progress)
{
    private const string Queue = "bench-bigqueue";
    private const int FillBatch = 1000;
    private const int FillInFlight = 16;
    private const int StatsCalls = 20;
    private const int ConsumedSample = 100_000;

    public async Task<BigQueueReport> RunAsync()
    {
        var keys = new RedisKeys(KeyDialect.Classic);
        var ready = keys.Ready(Queue);
        var queue = rmq.Grains.GetGrain<IQueueGrain>(Queue);
        await db.KeyDeleteAsync(ready);
        var (heap0, ws0) = MemoryMeter.Measure();
        var redis0 = await MemoryMeter.RedisUsedMemoryAsync(db);

        // Distinct payloads within a batch; batches repeat, which costs Redis the same and the harness nothing.
        var batch = Payloads.Values("bigqueue", 0, FillBatch, settings.PayloadBytes);
        var fill = Stopwatch.StartNew();
        var inFlight = new List<Task>(FillInFlight);
        for (long pushed = 0; pushed < settings.BigQueueReady; pushed += FillBatch)
        {
            var n = (int)Math.Min(FillBatch, settings.BigQueueReady - pushed);
            inFlight.Add(db.ListLeftPushAsync(ready, n == FillBatch ? batch : batch[..n]));
            if (inFlight.Count == FillInFlight)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
            if (pushed % 1_000_000 == 0 && pushed > 0) progress($"bigqueue: {pushed:N0} ready");
        }
        await Task.WhenAll(inFlight);
        var fillSeconds = fill.Elapsed.TotalSeconds;
        var length = await db.ListLengthAsync(ready);
        if (length != settings.BigQueueReady) throw new InvalidOperationException($"bigqueue: ready holds {length:N0}, expected {settings.BigQueueReady:N0}");
        var redis1 = await MemoryMeter.RedisUsedMemoryAsync(db);
        progress($"bigqueue: {length:N0} ready in {fillSeconds:0.0} s, redis used_memory {redis1 / 1048576.0:0} MB");

        // Activates both grains first: their activation is not what is measured.
        var overview = rmq.Grains.GetGrain<IStatsGrain>(0);
        await queue.GetStats();
        await overview.GetOverview();
        var (statsP50, statsMax) = await TimeAsync(async () => Check((await queue.GetStats()).ReadyCount, length));
        var (overviewP50, overviewMax) = await TimeAsync(async () => await overview.GetOverview());
        var (heap1, ws1) = MemoryMeter.Measure();

        var run = rmq.Probe.Begin(ConsumedSample, recordLatency: false);
        var started = Stopwatch.StartNew();
        await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
        await queue.AddConsumer("bigqueue", rmq.Grains.GetGrain<IBenchConsumerGrain>(Queue));
        await Deadline.UntilAsync(() => Task.FromResult(run.ConsumedCount > 0), settings.RunTimeout, TimeSpan.FromMilliseconds(1), "bigqueue: the first delivery");
        var firstMs = started.Elapsed.TotalMilliseconds;
        await Deadline.WithinAsync(run.AllConsumed, settings.RunTimeout, $"bigqueue: consuming {ConsumedSample:N0}");
        var sampleSeconds = started.Elapsed.TotalSeconds;
        var (statsConsumingP50, statsConsumingMax) = await TimeAsync(async () => await queue.GetStats());
        var (heap2, ws2) = MemoryMeter.Measure();
        progress($"bigqueue: first delivery after {firstMs:0} ms, {ConsumedSample:N0} consumed after {sampleSeconds:0.0} s");

        await Deadline.WithinAsync(queue.StopConsuming(), settings.RunTimeout, "bigqueue: stopping");
        var purge = Stopwatch.StartNew();
        await queue.PurgeReady();
        var purgeMs = purge.Elapsed.TotalMilliseconds;
        await queue.Destroy();

        return new BigQueueReport(length, settings.PayloadBytes, fillSeconds, redis0, redis1, heap0, heap1, ws0, ws1, StatsCalls,
            statsP50, statsMax, overviewP50, overviewMax, statsConsumingP50, statsConsumingMax, firstMs, ConsumedSample, sampleSeconds,
            heap2, ws2, purgeMs);
    }

    private static void Check(long readyCount, long expected)
    {
        if (readyCount != expected) throw new InvalidOperationException($"bigqueue: GetStats says {readyCount:N0} ready, Redis holds {expected:N0}");
    }

    /// <summary>p50 and max of <see cref="StatsCalls"/> sequential calls, in milliseconds.</summary>
    private static async Task<(double P50, double Max)> TimeAsync(Func<Task> call)
    {
        var samples = new List<double>(StatsCalls);
        for (var i = 0; i < StatsCalls; i++)
        {
            var clock = Stopwatch.StartNew();
            await call();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Stats.Percentile(samples, 50), samples.Max());
    }
}
