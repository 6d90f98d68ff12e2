using System.Diagnostics;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>What the memory scenario found (bytes).</summary>
internal sealed record MemoryReport(
    int Queues,
    int ReadyPerQueue,
    int PrefetchLimit,
    long HeapBefore,
    long HeapWithQueues,
    long HeapWithDeliveries,
    long WorkingSetBefore,
    long WorkingSetWithQueues,
    long WorkingSetWithDeliveries,
    long RedisUsedMemory,
    double SetupSeconds)
{
    public long HeldDeliveries => (long)Queues * Math.Min(ReadyPerQueue, PrefetchLimit);
    public double HeapPerQueue => (HeapWithQueues - HeapBefore) / (double)Queues;
    public double HeapPerHeldDelivery => HeldDeliveries == 0 ? 0 : (HeapWithDeliveries - HeapWithQueues) / (double)HeldDeliveries;
}

/// <summary>
/// Silo memory while <see cref="BenchSettings.MemoryQueues"/> queues each consume with one consumer and
/// hold <see cref="BenchSettings.MemoryReady"/> deliveries. The consumer of each queue holds its
/// delivery until the end, so the queue grain prefetches the rest (up to its prefetch limit) and keeps
/// it in memory: the worst case a slow consumer causes. Silo and client share this process, so the
/// figures are the growth of the managed heap (after a full, compacting collection) and of the
/// process's working set over the state before the queues existed.
/// </summary>
internal sealed class MemoryScenario(RmqHost rmq, IDatabase db, BenchSettings settings, Action<string> progress)
{
    /// <summary>Queues set up (or torn down) at the same time.</summary>
    private const int Concurrency = 50;

    public async Task<MemoryReport> RunAsync()
    {
        var names = Enumerable.Range(0, settings.MemoryQueues).Select(i => $"bench-memory-{i:D5}").ToList();
        var keys = new RedisKeys(KeyDialect.Classic);
        rmq.Probe.CloseGate();
        var (heap0, ws0) = MemoryMeter.Measure();
        var started = Stopwatch.GetTimestamp();

        await ForEachAsync(names, async name =>
        {
            var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
            await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
            await queue.AddConsumer("holding", rmq.Grains.GetGrain<IHoldingConsumerGrain>(name));
        }, "start consuming");
        var (heap1, ws1) = MemoryMeter.Measure();
        progress($"memory: {names.Count:N0} queues consuming, heap +{(heap1 - heap0) / 1048576.0:0.0} MB");

        var payloads = Payloads.Texts("memory", 0, settings.MemoryReady, settings.PayloadBytes);
        await ForEachAsync(names, name => rmq.Grains.GetGrain<IQueueGrain>(name).PublishBatch(payloads), "publish");
        var expectedReady = (long)Math.Max(0, settings.MemoryReady - settings.PrefetchLimit) * names.Count;
        await Deadline.UntilAsync(async () =>
        {
            var lengths = await Task.WhenAll(names.Select(n => db.ListLengthAsync(keys.Ready(n))));
            return lengths.Sum() == expectedReady;
        }, settings.RunTimeout, TimeSpan.FromMilliseconds(200), "prefetching every queue's deliveries");
        var setup = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var (heap2, ws2) = MemoryMeter.Measure();
        var redisMemory = await MemoryMeter.RedisUsedMemoryAsync(db);
        progress($"memory: {names.Count * (long)settings.MemoryReady:N0} deliveries held, heap +{(heap2 - heap1) / 1048576.0:0.0} MB");

        // Stop first (no new dispatch), then let the held consumer calls finish; stops then complete.
        var stops = names.Select(n => rmq.Grains.GetGrain<IQueueGrain>(n).StopConsuming()).ToList();
        rmq.Probe.OpenGate();
        await Deadline.WithinAsync(Task.WhenAll(stops), settings.RunTimeout, "stopping the memory queues");
        await ForEachAsync(names, name => rmq.Grains.GetGrain<IQueueGrain>(name).Destroy(), "destroy");

        return new MemoryReport(names.Count, settings.MemoryReady, settings.PrefetchLimit, heap0, heap1, heap2, ws0, ws1, ws2, redisMemory, setup);
    }

    private async Task ForEachAsync(IReadOnlyList<string> names, Func<string, Task> action, string what)
    {
        await Deadline.WithinAsync(Parallel.ForEachAsync(names,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (name, _) => await action(name)), settings.RunTimeout, $"memory scenario: {what}");
    }
}
