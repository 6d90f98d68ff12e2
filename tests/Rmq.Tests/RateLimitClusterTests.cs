using System.Diagnostics;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>
/// A rate limit holds across a cluster: 3 silos, consumers placed on any of them, one queue grain dispatching — 100 per
/// second measured over 10 s of consumption comes within ±5 % of 1,000, and no 0.9 s of it is a burst above the limit.
/// The limit makes up a hand-out late by up to a tenth of its window (<see cref="Rmq.FlowControl.FlowGate.CatchUp"/>) and,
/// by design, not more: a longer stall of the process (a collection, the machine's VM descheduled) is lost for good. Such
/// stalls are measured alongside (<see cref="StallMeter"/>), and only the time they lost beyond the catch-up lowers the bound.
/// </summary>
public sealed class RateLimitClusterTests(ITestOutputHelper output) : ThreeSiloTestBase
{
    [Fact]
    public async Task ARateOf100PerSecond_DeliversWithin5PercentOf1000In10Seconds_AcrossThreeSilos()
    {
        var name = RmqClusterFixture.UniqueName("rate3");
        var queue = Grains.GetGrain<IQueueGrain>(name);
        await queue.PublishBatch(Enumerable.Range(0, 1500).Select(i => $"m{i}").ToList());
        await queue.SetFlowLimits(new FlowLimits { Rate = RateLimit.Parse("100/s") });
        await using var stalls = new StallMeter();
        await queue.StartConsuming(500, TimeSpan.FromMilliseconds(10));
        for (var i = 0; i < 12; i++) await queue.AddConsumer("rate", Grains.GetGrain<IRecordingConsumerGrain>($"{name}/{i}"));

        var sw = Stopwatch.StartNew();
        await Eventually.True(() => Task.FromResult(ConsumptionLog.Of(name).Count >= 1150), "1,150 consumed", seconds: 30);
        var times = ConsumptionLog.Of(name).Select(r => r.Timestamp).Order().ToList();
        // From the first delivery of the second window on, when every consumer grain is active (the first calls also
        // waited for activations): 10 s from a window's start hold 10 windows' worth, however late each window opened.
        var start = times[100];
        var measured = times.Count(t => t >= start && t < start + 10 * Stopwatch.Frequency);
        var busiest = 0;
        for (var i = 0; i < times.Count; i++)
            busiest = Math.Max(busiest, times.Skip(i).TakeWhile(t => t < times[i] + Stopwatch.Frequency * 9 / 10).Count());
        var end = start + 10 * Stopwatch.Frequency;
        var lost = stalls.LostBeyond(TimeSpan.FromSeconds(Rmq.FlowControl.FlowGate.CatchUp), start, end);
        var lowest = 950 - (int)Math.Ceiling(lost.TotalSeconds * 100);
        output.WriteLine($"consumed in the 10 s from the 101st: {measured}; busiest 0.9 s: {busiest}; silos: {Cluster.Silos.Count}; waited {sw.Elapsed}; " +
            $"stalls over {StallMeter.Recorded.TotalMilliseconds:0} ms in the 10 s: [{string.Join(", ", stalls.Stalls.Where(x => x.EndedAt >= start && x.EndedAt < end).Select(x => $"{x.Late.TotalMilliseconds:0} ms"))}], " +
            $"time lost beyond the catch-up {lost.TotalMilliseconds:0} ms, so at least {lowest}");
        Assert.InRange(measured, lowest, 1050);
        // The hand-outs never exceed 100 in 0.9 s (FlowLimitsTests checks that exactly); consumers record on arrival, tens
        // of ms after the hand-out on a loaded machine, so 0.9 s of arrivals may hold some of the next window's. A fixed
        // window would let up to 200 through across its edge: that is what this rules out.
        Assert.InRange(busiest, 100, 125);
        await queue.StopConsuming();
        Assert.Equal((0L, 0L), (await Db.ListLengthAsync(Keys.Rejected(name)), (long)ConsumptionLog.Of(name).Select(r => r.Payload).Count() - ConsumptionLog.Of(name).Select(r => r.Payload).Distinct().Count()));
    }
}
