using System.Diagnostics;
using Rmq.Demo;

namespace Rmq.Chaos;

/// <summary>
/// One seed: start Redis and the silos, set up consuming, start the external publisher, inject the
/// seed's faults, heal, wait until every queue drains, then count everything from Redis.
/// </summary>
internal sealed class ChaosRun(ChaosSettings settings, int seed, string folder)
{
    private const string Records = "chaos::records";

    public async Task<ChaosReport> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        var runStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        void Log(string line) => Console.WriteLine($"[seed {seed}] {line}");

        Log($"starting redis-server (AOF, appendfsync everysec) and {settings.Silos} silos");
        await using var cluster = await ChaosCluster.StartAsync(settings.Silos, Path.Combine(folder, "silos"));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.HarnessRedis);
        try
        {
            await using (var client = await RmqClient.ConnectAsync(o =>
            {
                o.Clustering = RmqClientClustering.Redis;
                o.RedisConnectionString = cluster.HarnessRedis;
            }, TimeSpan.FromSeconds(60), cancellationToken))
            {
                await SetUpConsumingAsync(client);
            }
            Log($"consuming set up at {clock.Elapsed.TotalSeconds:F1} s; publishing {settings.Messages} messages over {settings.Duration.TotalSeconds:F0} s");

            var monitor = new ProgressMonitor(redis, clock, Records);
            using var stopMonitor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var monitoring = monitor.RunAsync(stopMonitor.Token);
            var publisherLog = Path.Combine(folder, "published.log");
            var offset = clock.Elapsed;
            var publisher = PublisherProcess.Start(cluster.SiloRedis, seed, settings.Messages, settings.Duration * 0.9, publisherLog);

            var injector = new FaultInjector(cluster, redis, clock, seed, Log);
            var faults = new List<FaultEvent>();
            foreach (var (at, kind) in FaultPlan.Create(seed, settings.Duration, settings.Faults, settings.FaultCount))
            {
                var due = offset + at;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken);
                faults.Add(await injector.InjectAsync(kind, cancellationToken));
            }
            await injector.HealedAsync();
            Log("faults over; waiting for the publisher");
            var published = await publisher.WaitAsync(settings.Duration + TimeSpan.FromMinutes(3), cancellationToken);
            Log($"publisher: {published}");

            var (quiesced, after) = await QuiesceAsync(cluster, monitor, clock, cancellationToken);
            await stopMonitor.CancelAsync();
            await monitoring;
            Log(quiesced ? $"drained after {after.TotalSeconds:F1} s" : "did not drain");
            var ledger = await Ledger.ReadAsync(publisherLog, redis, Records, injector.Poison);
            return new ChaosReport
            {
                Seed = seed,
                Settings = settings,
                Ledger = ledger,
                Faults = faults,
                Monitor = monitor,
                RunStartUnixMs = runStart,
                Quiesced = quiesced,
                QuiescedAfter = after,
                Messages = settings.Messages,
            }.Compute();
        }
        finally
        {
            await cluster.WriteLogsAsync();
        }
    }

    private static async Task SetUpConsumingAsync(RmqClient client)
    {
        var grains = client.Grains;
        foreach (var queue in ChaosSettings.SourceQueues)
        {
            var grain = client.Queue(queue);
            await grain.StartConsuming(ChaosSettings.PrefetchLimit, TimeSpan.FromMilliseconds(50));
            await grain.SetPushQueue(ChaosSettings.PushQueue);
            for (var i = 0; i < ChaosSettings.ConsumersPerQueue; i++)
                await grain.AddConsumer("chaos", grains.GetGrain<IChaosConsumerGrain>(i, $"{Records}|source"));
        }
        var jobs = client.Queue(ChaosSettings.LongQueue);
        await jobs.StartConsuming(ChaosSettings.LongConsumers, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < ChaosSettings.LongConsumers; i++)
            await jobs.AddLongRunningConsumer("chaos-long", grains.GetGrain<IChaosJobGrain>(200 + i, $"{Records}|source"));
        var pushed = client.Queue(ChaosSettings.PushQueue);
        await pushed.StartConsuming(ChaosSettings.PrefetchLimit, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < ChaosSettings.ConsumersPerQueue; i++)
            await pushed.AddConsumer("chaos", grains.GetGrain<IChaosConsumerGrain>(100 + i, $"{Records}|target"));
    }

    /// <summary>Every silo up, then every queue's ready and unacked empty for three looks in a row.</summary>
    private async Task<(bool, TimeSpan)> QuiesceAsync(ChaosCluster cluster, ProgressMonitor monitor, Stopwatch clock, CancellationToken cancellationToken)
    {
        var from = clock.Elapsed;
        var deadline = from + settings.QuiesceTimeout;
        var empty = 0;
        while (clock.Elapsed < deadline)
        {
            var backlog = await monitor.BacklogAsync();
            empty = backlog is not null && backlog.Values.All(v => v == 0) && await cluster.AllUpAsync() ? empty + 1 : 0;
            if (empty == 3) return (true, clock.Elapsed - from);
            await Task.Delay(1000, cancellationToken);
        }
        return (false, clock.Elapsed - from);
    }
}
