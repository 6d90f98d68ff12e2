using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// Nothing lost when a silo dies: a fresh 3-silo cluster per test, the cleaner on (1 s), membership
/// probes fast (1 s timeout, 2 misses), a real redis-server. Each test streams 20,000 deliveries to
/// 10 consumer grains spread over the silos and takes a silo away in the middle.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output) : ThreeSiloTestBase
{
    private const int Total = 20_000;
    private const int Prefetch = 100;
    private static readonly TimeSpan ResumeLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task KillingTheSiloOfTheQueue_ConsumptionResumesAndNothingIsLost()
    {
        var (name, silo) = await PlaceOnSecondaryAsync(i => Grains.GetGrain<IQueueGrain>($"fo-queue-{Guid.NewGuid():N}"[..20]));
        var run = await StartStreamAsync(name);
        await WaitForConsumedAsync(name, 5_000);
        var killedAt = Stopwatch.GetTimestamp();
        await Cluster.KillSiloAsync(silo);

        await WaitUntilDrainedAsync(name, Total);
        Report(name, killedAt, run, "queue's silo killed", out var duplicates, out var resumed);
        Assert.InRange(duplicates, 0, Prefetch);
        Assert.True(resumed < ResumeLimit, $"consumption resumed {resumed.TotalSeconds:F1} s after the kill");
    }

    [Fact]
    public async Task KillingTheSiloOfAPausedQueue_ItComesBackPausedOnAnotherSilo_AndConsumesAllOnResume()
    {
        var (name, silo) = await PlaceOnSecondaryAsync(i => Grains.GetGrain<IQueueGrain>($"fo-pause-{Guid.NewGuid():N}"[..20]));
        var queue = Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(Prefetch, TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 10; i++)
            await queue.AddConsumer("fo", Grains.GetGrain<IRecordingConsumerGrain>($"{name}-{i}"));
        await queue.Pause();
        const int published = 2_000;
        await queue.PublishBatch(Enumerable.Range(0, published).Select(n => $"p{n}").ToList());
        var before = (await queue.GetConnectionName())!;

        await Cluster.KillSiloAsync(silo);
        // The cleaner takes the dead silo's connection away and activates the queue elsewhere: paused.
        await Eventually.True(async () =>
        {
            // Calls fail until membership has declared the silo dead; then the grain activates elsewhere.
            try { return await queue.GetConnectionName() is { } c && c != before; }
            catch (Exception e) when (e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException) { return false; }
        }, "re-activated with a new connection", 60);
        Assert.NotEqual(silo.SiloAddress, await HostOf(queue));
        var status = await queue.GetConsumingStatus();
        Assert.Equal(ConsumingState.Paused, status.State);
        Assert.Equal(10, status.Consumers);
        await Task.Delay(500); // a wrongly running engine (20 ms poll) would be consuming by now
        Assert.Equal(published, await Db.ListLengthAsync(Keys.Ready(name)));
        Assert.Empty(ConsumptionLog.Of(name));

        await queue.Resume();
        await WaitUntilDrainedAsync(name, published);
        Assert.Equal(published, ConsumptionLog.Of(name).Count);
    }

    [Fact]
    public async Task KillingTheSiloOfTheCleaner_TheCleanerComesBackByItself()
    {
        var cleaner = Grains.GetGrain<ICleanerGrain>(0);
        var (_, cleanerSilo) = await PlaceOnSecondaryAsync(_ => cleaner);
        var name = "";
        for (var i = 0; i < 30 && name == ""; i++)
        {
            var candidate = $"fo-cq-{Guid.NewGuid():N}"[..18];
            await Grains.GetGrain<IQueueGrain>(candidate).GetStats();
            if (await HostOf(Grains.GetGrain<IQueueGrain>(candidate)) != cleanerSilo.SiloAddress) name = candidate;
        }
        Assert.NotEqual("", name);
        var run = await StartStreamAsync(name);
        await WaitForConsumedAsync(name, 5_000);
        var killedAt = Stopwatch.GetTimestamp();
        await Cluster.KillSiloAsync(cleanerSilo);

        // A Go rmq consumer of the same queue dies after the cleaner's silo did; nobody calls Clean():
        // the cleaner must be back on its own to return these. Registered last: the cleaner runs every second, and
        // a dead connection it found registered with no queues yet would be unregistered at once, stranding the
        // unacked written after it (seen: "ready 0, unacked 50").
        var goConnection = $"go-after-kill-{name}";
        await Db.ListLeftPushAsync(Keys.Unacked(goConnection, name), Enumerable.Range(0, 50).Select(i => (RedisValue)$"go-{i}").ToArray());
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(goConnection), name);
        await Db.SetAddAsync(RedisKeys.Connections, goConnection);

        await WaitUntilDrainedAsync(name, Total + 50);
        Assert.False(await Db.SetContainsAsync(RedisKeys.Connections, goConnection));
        Report(name, killedAt, run, "cleaner's silo killed", out var duplicates, out _);
        Assert.InRange(duplicates, 0, Prefetch);
        Assert.NotEqual(cleanerSilo.SiloAddress, await HostOf(cleaner));
    }

    [Fact]
    public async Task StoppingTheSiloOfTheQueueGracefully_NoDuplicatesAndNothingLeftUnacked()
    {
        var (name, silo) = await PlaceOnSecondaryAsync(i => Grains.GetGrain<IQueueGrain>($"fo-stop-{Guid.NewGuid():N}"[..19]));
        var run = await StartStreamAsync(name);
        await WaitForConsumedAsync(name, 5_000);
        var stoppedAt = Stopwatch.GetTimestamp();
        await Cluster.StopSiloAsync(silo);

        await WaitUntilDrainedAsync(name, Total);
        Report(name, stoppedAt, run, "queue's silo stopped", out var duplicates, out var resumed);
        Assert.Equal(0, duplicates);
        Assert.True(resumed < ResumeLimit, $"consumption resumed {resumed.TotalSeconds:F1} s after the stop");
    }

    [Fact]
    public async Task AConsumerWhoseSiloDies_ItsDeliveryGoesBackToReadyAndIsConsumedAgain()
    {
        var name = $"fo-cons-{Guid.NewGuid():N}"[..18];
        var queue = Grains.GetGrain<IQueueGrain>(name);
        var (_, consumerSilo) = await PlaceOnSecondaryAsync(_ => Grains.GetGrain<ITestConsumerGrain>($"{name}-consumer"));
        // The queue must outlive the consumer: this is the queue grain's own return path, not the cleaner's.
        RequestContext.Set(IPlacementDirector.PlacementHintKey, Cluster.Primary!.SiloAddress);
        await queue.GetStats();
        RequestContext.Clear();
        Assert.NotEqual(consumerSilo.SiloAddress, await HostOf(queue));
        var consumer = Grains.GetGrain<ITestConsumerGrain>($"{name}-consumer");
        await consumer.Configure(ConsumerBehaviour.Hold);
        await queue.StartConsuming(5, TimeSpan.FromMilliseconds(20));
        await queue.AddConsumer("doomed", consumer);
        await queue.Publish("held when the silo dies");
        await Eventually.Equal(1, consumer.HeldCount, "held deliveries");

        await Cluster.KillSiloAsync(consumerSilo);
        // The call fails (the silo is gone): the consumer never finished the delivery, so it goes back
        // to ready and, after ConsumerRetryDelay, to the consumer's new activation (which acks).
        await Eventually.True(async () =>
            (await consumer.GetDeliveries()).Any(d => d.Payload == "held when the silo dies"), "redelivered to the new activation", 30);
        await Eventually.True(async () =>
            await Db.ListLengthAsync(Keys.Ready(name)) == 0 && await UnackedTotalAsync(name) == 0, "ready and unacked empty", 30);
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Rejected(name)));
        await queue.StopConsuming();
    }

    /// <summary>Activates grains until one lands on a secondary silo (the primary holds the test membership and must live).</summary>
    private async Task<(string Name, SiloHandle Silo)> PlaceOnSecondaryAsync<T>(Func<int, T> grain) where T : IAddressable
    {
        for (var i = 0; i < 30; i++)
        {
            var reference = grain(i);
            // Ask placement for a secondary; the hint is only a hint, so check where it landed.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, Cluster.SecondarySilos[i % Cluster.SecondarySilos.Count].SiloAddress);
            switch (reference)
            {
                case IQueueGrain q: await q.GetStats(); break;
                case ICleanerGrain c: await c.Clean(); break;
                case ITestConsumerGrain t: await t.HeldCount(); break;
            }
            RequestContext.Clear();
            var host = await HostOf(reference);
            var secondary = Cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(host));
            if (secondary is not null) return (reference.GetPrimaryKeyString() ?? "", secondary);
            output.WriteLine($"try {i}: landed on {host}; primary {Cluster.Primary?.SiloAddress}");
            // Migration honours the placement hint too.
            RequestContext.Set(IPlacementDirector.PlacementHintKey, Cluster.SecondarySilos[i % Cluster.SecondarySilos.Count].SiloAddress);
            await reference.Cast<IGrainManagementExtension>().MigrateOnIdle();
            RequestContext.Clear();
            await Task.Delay(200);
        }
        throw new InvalidOperationException("no activation landed on a secondary silo in 30 tries");
    }

    private Task<SiloAddress?> HostOf(IAddressable grain) =>
        Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain).AsTask();

    private async Task<long> StartStreamAsync(string name)
    {
        var queue = Grains.GetGrain<IQueueGrain>(name);
        for (var i = 0; i < Total; i += 1000)
            await queue.PublishBatch(Enumerable.Range(i, 1000).Select(n => $"p{n}").ToList());
        await queue.StartConsuming(Prefetch, TimeSpan.FromMilliseconds(20));
        for (var i = 0; i < 10; i++)
            await queue.AddConsumer("fo", Grains.GetGrain<IRecordingConsumerGrain>($"{name}-{i}"));
        return Stopwatch.GetTimestamp();
    }

    private static async Task WaitForConsumedAsync(string name, int count) =>
        await Eventually.True(() => Task.FromResult(ConsumptionLog.Of(name).Count >= count), $"{count} consumed", 30);

    /// <summary>Every payload consumed at least once, ready empty and every unacked list of the queue empty.</summary>
    private async Task WaitUntilDrainedAsync(string name, int distinct)
    {
        var state = "";
        try
        {
            await Eventually.True(async () =>
            {
                var consumed = ConsumptionLog.Of(name).Select(r => r.Payload).Distinct().Count();
                var ready = await Db.ListLengthAsync(Keys.Ready(name));
                var unacked = await UnackedTotalAsync(name);
                var connections = string.Join(",", (await Db.SetMembersAsync(RedisKeys.Connections)).Select(c => (string)c!));
                state = $"consumed {consumed}/{distinct}, ready {ready}, unacked {unacked}, connections [{connections}]";
                return consumed >= distinct && ready == 0 && unacked == 0;
            }, "every delivery consumed, ready and unacked empty", 60);
        }
        catch
        {
            output.WriteLine($"not drained: {state}");
            throw;
        }
    }

    private Task<long> UnackedTotalAsync(string name) => Multiplexer.UnackedTotalAsync(Keys, name);

    private void Report(string name, long at, long started, string what, out int duplicates, out TimeSpan resumed)
    {
        var log = ConsumptionLog.Of(name);
        duplicates = log.Count - log.Select(r => r.Payload).Distinct().Count();
        // The old activation can have handed out at most the prefetch limit before it went: once more
        // than that were consumed after the event, a new activation was delivering.
        var after = log.Where(r => r.Timestamp > at).Select(r => r.Timestamp).Order().ToList();
        resumed = after.Count > Prefetch ? Stopwatch.GetElapsedTime(at, after[Prefetch]) : TimeSpan.MaxValue;
        var longestGap = after.Zip(after.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).DefaultIfEmpty(TimeSpan.Zero).Max();
        output.WriteLine($"{what}: {log.Count} consumptions of {log.Select(r => r.Payload).Distinct().Count()} payloads, " +
                         $"{duplicates} duplicates; consumption resumed {resumed.TotalMilliseconds:F0} ms after " +
                         $"(more than {Prefetch} consumed since); longest pause {longestGap.TotalMilliseconds:F0} ms; " +
                         $"whole run {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
    }
}
