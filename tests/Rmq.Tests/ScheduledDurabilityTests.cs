using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// Scheduled deliveries live in Redis, not in a silo: a fresh 3-silo cluster per test (cleaner every second,
/// fast membership probes as in <see cref="FailoverTests"/>), a redis-server with an append-only file
/// (fsync always). A Go-style consumer (plain RPOPLPUSH from ready, no Rmq consumer) receives each one once.
/// </summary>
public sealed class ScheduledDurabilityTests(ITestOutputHelper output) : ThreeSiloTestBase(durableRedis: true)
{
    private const int Count = 100;

    // Redis is restarted: the silos' reconnects must not wait for the default connect timeout.
    protected override string SiloRedisConnectionString => $"{Redis.Endpoint},connectTimeout=1000";

    [Fact]
    public async Task KillingTheSiloOfTheScheduler_TheDeliveriesStillArriveWhenDue_EachOnce()
    {
        var (name, silo) = await PlaceOnSecondaryAsync();
        var queue = Grains.GetGrain<IQueueGrain>(name);
        var ids = await ScheduleAsync(queue, TimeSpan.FromSeconds(4));
        output.WriteLine($"scheduled at the kill: {await Db.SortedSetLengthAsync(Keys.Scheduled(name))}");
        await Cluster.KillSiloAsync(silo);

        await ReceiveAllAsync(name);
        // The one due in an hour is still scheduled, and still cancellable from another silo.
        Assert.Equal(1, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.True(await Grains.GetGrain<IQueueGrain>(name).CancelScheduled(ids[^1]));
    }

    [Fact]
    public async Task RedisRestartedWithItsAppendOnlyFile_TheScheduledDeliveriesAreKept_AndArriveWhenDue()
    {
        var name = $"sched-rr-{Guid.NewGuid():N}"[..18];
        var queue = Grains.GetGrain<IQueueGrain>(name);
        var ids = await ScheduleAsync(queue, TimeSpan.FromSeconds(4));
        await Redis.KillAsync();
        await Redis.RestartAsync();
        await Eventually.True(async () =>
        {
            try { return await Db.SortedSetLengthAsync(Keys.Scheduled(name)) > 0 || await Db.ListLengthAsync(Keys.Ready(name)) > 0; }
            catch (RedisConnectionException) { return false; }
        }, "Redis back", 30);

        await ReceiveAllAsync(name);
        Assert.Equal(1, await Db.SortedSetLengthAsync(Keys.Scheduled(name)));
        Assert.True(await queue.CancelScheduled(ids[^1]));
    }

    /// <summary>Schedules <see cref="Count"/> identical-looking pairs (a batch, then singles), and one due in an hour (its id last).</summary>
    private static async Task<List<string>> ScheduleAsync(IQueueGrain queue, TimeSpan delay)
    {
        var due = DateTimeOffset.UtcNow + delay;
        var ids = (await queue.PublishBatch(Enumerable.Range(0, Count / 2).Select(i => RmqMessage.Text($"d{i}").At(due)).ToList())).Select(r => r.ScheduledId!).ToList();
        for (var i = Count / 2; i < Count; i++) ids.Add((await queue.Publish(RmqMessage.Text($"d{i}").Delayed(delay))).ScheduledId!);
        ids.Add((await queue.Publish(RmqMessage.Text("in an hour").Delayed(TimeSpan.FromHours(1)))).ScheduledId!);
        return ids;
    }

    /// <summary>A Go rmq consumer: RPOPLPUSH ready → its unacked list, until it holds every due delivery; each exactly once.</summary>
    private async Task ReceiveAllAsync(string name)
    {
        var unacked = Keys.Unacked("go-consumer", name);
        var received = new List<string>();
        await Eventually.True(async () =>
        {
            try
            {
                for (var element = await Db.ListRightPopLeftPushAsync(Keys.Ready(name), unacked); !element.IsNull;
                     element = await Db.ListRightPopLeftPushAsync(Keys.Ready(name), unacked))
                    received.Add(element!);
            }
            catch (RedisConnectionException) { }
            return received.Count >= Count;
        }, "every due delivery received", 60);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"d{i}").Order(), received.Order());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready(name)));
    }

    /// <summary>Activates queue grains until one lands on a secondary silo (the primary holds the test membership and must live).</summary>
    private async Task<(string Name, SiloHandle Silo)> PlaceOnSecondaryAsync()
    {
        for (var i = 0; i < 30; i++)
        {
            var queue = Grains.GetGrain<IQueueGrain>($"sched-fo-{Guid.NewGuid():N}"[..18]);
            RequestContext.Set(IPlacementDirector.PlacementHintKey, Cluster.SecondarySilos[i % Cluster.SecondarySilos.Count].SiloAddress);
            await queue.GetStats();
            RequestContext.Clear();
            var host = await Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(queue);
            if (Cluster.SecondarySilos.FirstOrDefault(s => s.SiloAddress.Equals(host)) is { } secondary)
                return (queue.GetPrimaryKeyString(), secondary);
            await queue.Cast<IGrainManagementExtension>().MigrateOnIdle();
            await Task.Delay(200);
        }
        throw new InvalidOperationException("no activation landed on a secondary silo in 30 tries");
    }
}
