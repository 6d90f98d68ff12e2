using System.Globalization;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// A second-resolution recurring job on a fresh 3-silo cluster (cleaner every second), with the "ensure next
/// occurrence" step running at once on every silo — a test grain on each looping it, beside the queue grain's
/// scheduler and the cleaner's passes, one of them stalling between its read and its write (so its decisions
/// are stale): each occurrence reaches ready exactly once, and none is left out.
/// </summary>
public sealed class RecurringClusterTests(ITestOutputHelper output) : ThreeSiloTestBase
{
    [Fact]
    public async Task EnsureRunningOnThreeSilosAtOnce_PublishesEachOccurrenceOfAnEverySecondJob_ExactlyOnce()
    {
        var name = $"rec-3s-{Guid.NewGuid():N}"[..16];
        var ensurers = await OnePerSiloAsync();
        var queue = Grains.GetGrain<IQueueGrain>(name);
        await queue.ScheduleRecurring("each-second", RecurringSchedule.Cron("* * * * * *"), "tick");

        // The first silo's ensurer stalls between read and write every other run: its decisions come too late.
        var runs = await Task.WhenAll(ensurers.Select((e, i) => e.EnsureFor(name, TimeSpan.FromSeconds(8), stall: i == 0)));
        output.WriteLine($"ensure runs per silo: {string.Join(", ", runs)}");
        Assert.True(runs[0] > 5, $"{runs[0]} stalling ensure runs");
        Assert.All(runs.Skip(1), r => Assert.True(r > 50, $"{r} ensure runs"));
        Assert.True(await queue.RemoveRecurring("each-second"));

        var occurrences = new List<long>();
        foreach (var raw in (await Db.ListRangeAsync(Keys.Ready(name))).Reverse())
        {
            Assert.True(HeaderCodec.TryDecode((byte[])raw!, out var headers, out var payload, out _));
            Assert.Equal("tick", System.Text.Encoding.UTF8.GetString(payload));
            occurrences.Add(DateTimeOffset.Parse(headers[RecurringJob.OccurrenceHeader].Single(), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        }
        output.WriteLine($"{occurrences.Count} occurrences published");
        Assert.True(occurrences.Count >= 7, $"{occurrences.Count} occurrences in 8 s");
        var duplicates = occurrences.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => $"{g.Key}×{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"occurrences published more than once: {string.Join(", ", duplicates)}");
        // Consecutive seconds, in order, none left out.
        Assert.All(occurrences.Zip(occurrences.Skip(1)), p => Assert.Equal(1000, p.Second - p.First));
    }

    /// <summary>One test grain activated on each of the three silos (placement hints, checked).</summary>
    private async Task<List<IRecurringEnsureGrain>> OnePerSiloAsync()
    {
        var silos = Cluster.GetActiveSilos().ToList();
        Assert.Equal(3, silos.Count);
        var result = new List<IRecurringEnsureGrain>();
        var key = 0;
        foreach (var silo in silos)
        {
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 30, $"no test grain landed on {silo.SiloAddress}");
                var grain = Grains.GetGrain<IRecurringEnsureGrain>(Random.Shared.NextInt64() + key++);
                RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
                var host = await grain.Silo();
                RequestContext.Clear();
                if (host == silo.SiloAddress.ToParsableString())
                {
                    result.Add(grain);
                    break;
                }
            }
        }
        return result;
    }
}
