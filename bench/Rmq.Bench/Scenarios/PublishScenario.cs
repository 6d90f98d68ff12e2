using System.Diagnostics;
using Rmq.Bench.Baseline;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// Publishing, with nobody consuming. Rmq: the client library's direct publisher (<c>RmqPublisher</c>,
/// straight to Redis; <c>Publish</c> one payload per call, or <c>PublishBatch</c>), and for comparison
/// <c>IQueueGrain.Publish</c> through the external Orleans client. Baseline: Go rmq's <c>Publish</c> =
/// one <c>LPUSH</c> per call (of one payload, or of all the call's payloads). Publishers each await
/// their calls one after the other; several publishers run concurrently.
/// </summary>
internal sealed class PublishScenario(RmqHost rmq, IDatabase db, CpuMeter cpuMeter, BenchSettings settings, Repetitions repetitions, CeilingScenario? ceiling)
{
    private readonly CpuMeter _cpu = cpuMeter;

    public async Task<IReadOnlyList<Figure>> RunAsync()
    {
        var figures = new List<Figure>();
        foreach (var publishers in settings.Publishers)
        {
            var figure = new Figure($"publish.single.{publishers}", "Publish", $"Publish one at a time, {publishers} publisher{(publishers == 1 ? "" : "s")}",
                "msg/s", true) { CeilingOp = ceiling is null ? null : "LPUSH" };
            var total = settings.PublishMessages / publishers * publishers;
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineSingleAsync(publishers, total, rep, figure)),
                (Side.Rmq, rep => RmqSingleAsync(publishers, total, rep, figure)),
            ], figure));
            figures.Add(figure);
        }
        foreach (var publishers in settings.GrainPublishers)
        {
            var figure = new Figure($"publish.grain.{publishers}", "Publish", $"IQueueGrain.Publish one at a time, {publishers} publisher{(publishers == 1 ? "" : "s")}",
                "msg/s", true);
            var total = settings.PublishMessages / publishers * publishers;
            await repetitions.MeasureAsync(figure,
            [
                (Side.Baseline, rep => BaselineSingleAsync(publishers, total, rep, figure)),
                (Side.Rmq, rep => RmqSingleAsync(publishers, total, rep, figure, viaGrain: true)),
            ]);
            figures.Add(figure);
        }
        foreach (var size in settings.PublishBatchSizes)
        {
            var figure = new Figure($"publish.batch.{size}", "Publish", $"PublishBatch({size}), 1 publisher", "msg/s", true) { CeilingOp = ceiling is null ? null : "LPUSH" };
            var total = Math.Max(size, settings.BatchPublishMessages / size * size);
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineBatchAsync(size, total, rep, figure)),
                (Side.Rmq, rep => RmqBatchAsync(size, total, rep, figure)),
            ], figure));
            figures.Add(figure);
        }
        // The same with payloads that are already bytes, as the baseline's are: what string payloads
        // cost over it is their UTF-8 encoding (counted for the size limit, then written by StackExchange.Redis).
        foreach (var size in settings.PublishBatchSizes)
        {
            var figure = new Figure($"publish.bytesbatch.{size}", "Publish", $"PublishBytesBatch({size}), 1 publisher", "msg/s", true) { CeilingOp = ceiling is null ? null : "LPUSH" };
            var total = Math.Max(size, settings.BatchPublishMessages / size * size);
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineBatchAsync(size, total, rep, figure)),
                (Side.Rmq, rep => RmqBatchAsync(size, total, rep, figure, bytes: true)),
            ], figure));
            figures.Add(figure);
        }
        return figures;
    }

    private List<(Side, Func<int, Task<double>>)> WithCeiling(List<(Side, Func<int, Task<double>>)> sides, Figure figure)
    {
        if (ceiling is not null) sides.Add((Side.Ceiling, rep => ceiling.LpushOnceAsync($"{figure.Id}-{rep}")));
        return sides;
    }

    /// <summary>One run of one-at-a-time publishing: through <c>RmqPublisher</c>, or through the queue grain when <paramref name="viaGrain"/>.</summary>
    private async Task<double> RmqSingleAsync(int publishers, int total, int rep, Figure figure, bool viaGrain = false)
    {
        var name = $"bench-pub{(viaGrain ? "grain" : "")}{publishers}-{rep}";
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        var direct = rmq.Publisher.Queue(name);
        Func<string, Task> publish = viaGrain ? queue.Publish : direct.Publish;
        var lanes = Enumerable.Range(0, publishers)
            .Select(p => Payloads.Texts(name, p * (total / publishers), total / publishers, settings.PayloadBytes)).ToList();
        await queue.PurgeReady();
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        await Deadline.WithinAsync(Task.WhenAll(lanes.Select(lane => Task.Run(async () =>
        {
            foreach (var payload in lane) await publish(payload);
        }))), settings.RunTimeout, $"Rmq publish ({publishers} publishers{(viaGrain ? ", through the grain" : "")})");
        var rate = total / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure.AddCpu(Side.Rmq, CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), total));
        await CheckAndPurgeAsync(queue, total);
        return rate;
    }

    private async Task<double> RmqBatchAsync(int size, int total, int rep, Figure figure, bool bytes = false)
    {
        var name = $"bench-pub{(bytes ? "bytes" : "")}batch{size}-{rep}";
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        var direct = rmq.Publisher.Queue(name);
        var chunks = Payloads.TextChunks(name, total, size, settings.PayloadBytes);
        var byteChunks = bytes ? chunks.ConvertAll(c => c.ConvertAll(System.Text.Encoding.ASCII.GetBytes)) : null;
        await queue.PurgeReady();
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        await Deadline.WithinAsync(Task.Run(async () =>
        {
            if (byteChunks is not null)
                foreach (var chunk in byteChunks) await direct.PublishBytesBatch(chunk);
            else
                foreach (var chunk in chunks) await direct.PublishBatch(chunk);
        }), settings.RunTimeout, $"Rmq PublishBatch({size})");
        var rate = total / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure.AddCpu(Side.Rmq, CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), total));
        await CheckAndPurgeAsync(queue, total);
        return rate;
    }

    private async Task<double> BaselineSingleAsync(int publishers, int total, int rep, Figure figure)
    {
        var name = $"base-pub{publishers}-{rep}";
        var queue = new RmqStyleQueue(db, name, "publisher", settings.PrefetchLimit, settings.PollInterval);
        var lanes = Enumerable.Range(0, publishers)
            .Select(p => Payloads.Values(name, p * (total / publishers), total / publishers, settings.PayloadBytes)).ToList();
        await db.KeyDeleteAsync(queue.Ready);
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        await Deadline.WithinAsync(Task.WhenAll(lanes.Select(lane => Task.Run(async () =>
        {
            foreach (var payload in lane) await queue.PublishAsync(payload);
        }))), settings.RunTimeout, $"baseline publish ({publishers} publishers)");
        var rate = total / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure.AddCpu(Side.Baseline, CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), total));
        await CheckAndDeleteAsync(queue.Ready, total);
        return rate;
    }

    private async Task<double> BaselineBatchAsync(int size, int total, int rep, Figure figure)
    {
        var name = $"base-pubbatch{size}-{rep}";
        var queue = new RmqStyleQueue(db, name, "publisher", settings.PrefetchLimit, settings.PollInterval);
        var chunks = Payloads.ValueChunks(name, total, size, settings.PayloadBytes);
        await db.KeyDeleteAsync(queue.Ready);
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        await Deadline.WithinAsync(Task.Run(async () =>
        {
            foreach (var chunk in chunks) await queue.PublishAsync(chunk);
        }), settings.RunTimeout, $"baseline publish batch ({size})");
        var rate = total / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure.AddCpu(Side.Baseline, CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), total));
        await CheckAndDeleteAsync(queue.Ready, total);
        return rate;
    }

    private static async Task CheckAndPurgeAsync(IQueueGrain queue, int expected)
    {
        var purged = await queue.PurgeReady();
        if (purged != expected) throw new InvalidOperationException($"ready held {purged} deliveries after publishing {expected}; the figure would be wrong");
    }

    private async Task CheckAndDeleteAsync(RedisKey ready, int expected)
    {
        var length = await db.ListLengthAsync(ready);
        await db.KeyDeleteAsync(ready);
        if (length != expected) throw new InvalidOperationException($"ready held {length} deliveries after publishing {expected}; the figure would be wrong");
    }
}
