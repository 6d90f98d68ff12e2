using Rmq.FlowControl;
using Rmq.Queue;

namespace Rmq.Tests;

/// <summary>
/// The flow limits' rules, without Redis or Orleans: <see cref="RateLimit"/>'s text form and ranges, their stored form, the
/// <see cref="FlowGate"/>'s sliding window, and how the <see cref="Dispatcher"/> holds deliveries back for them.
/// </summary>
public sealed class FlowLimitsTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static DateTime At(double seconds) => T0.AddSeconds(seconds);

    private static Dispatcher NewDispatcher(FlowLimits limits, params ConsumerSlot[] slots)
    {
        var dispatcher = new Dispatcher(new DispatchPolicy(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)));
        foreach (var slot in slots) dispatcher.AddSlot(slot);
        dispatcher.Gate.Set(limits);
        return dispatcher;
    }

    private static ConsumerSlot[] Singles(int count) =>
        Enumerable.Range(0, count).Select(i => new ConsumerSlot(new ConsumerRegistration($"c{i}", GrainId.Create("test", $"c{i}"), 0, TimeSpan.Zero), null, null)).ToArray();

    private static void AddItems(Dispatcher dispatcher, int count)
    {
        for (var id = 1; id <= count; id++) dispatcher.Add(new Prefetched(new RedisValue($"raw-{id}"), new Delivery("q", [(byte)id], new Dictionary<string, string[]>(), id)));
    }

    private static void EndAll(Dispatcher dispatcher, IEnumerable<(ConsumerSlot Slot, List<Prefetched> Items)> calls, DateTime now)
    {
        foreach (var (slot, _) in calls) dispatcher.CallEnded(slot, CallEnd.Completed, now);
    }

    private static FlowLimits Rate(int count, double seconds) => new() { Rate = new RateLimit(count, TimeSpan.FromSeconds(seconds)) };

    // ---- the text form and the ranges ----

    [Theory]
    [InlineData("100/s", 100, 1000)]
    [InlineData("5/200ms", 5, 200)]
    [InlineData("1000/1m", 1000, 60_000)]
    [InlineData(" 10 / 2h ", 10, 7_200_000)]
    [InlineData("1/d", 1, 86_400_000)]
    [InlineData("3/1.5s", 3, 1500)]
    public void RateLimit_ParsesDeliveriesPerWindow_AndWritesTheSameShapeBack(string text, int count, double milliseconds)
    {
        var limit = RateLimit.Parse(text);
        Assert.Equal(new RateLimit(count, TimeSpan.FromMilliseconds(milliseconds)), limit);
        Assert.Equal(limit, RateLimit.Parse(limit.ToString()));
    }

    [Fact]
    public void RateLimit_RefusesOtherShapesAndValuesOutOfRange_SayingWhatIsAllowed()
    {
        Assert.Contains("is not a rate limit: write deliveries/window, such as 100/s", Assert.Throws<FormatException>(() => RateLimit.Parse("100 per second")).Message);
        Assert.Contains("is not a rate limit", Assert.Throws<FormatException>(() => RateLimit.Parse("-1/s")).Message);
        Assert.Contains("1 to 100,000 deliveries per window; 0 is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => RateLimit.Parse("0/s")).Message);
        Assert.Contains("1 to 100,000 deliveries per window; 100001 is out of range", Assert.Throws<ArgumentOutOfRangeException>(() => RateLimit.Parse("100001/s")).Message);
        Assert.Contains("window is 1 ms to one day", Assert.Throws<ArgumentOutOfRangeException>(() => RateLimit.Parse("1/2d")).Message);
        Assert.Contains("window is 1 ms to one day", Assert.Throws<ArgumentOutOfRangeException>(() => RateLimit.Parse("1/99999999999d")).Message);
        Assert.Contains("window is 1 ms to one day", Assert.Throws<ArgumentOutOfRangeException>(() => RateLimit.Parse("1/0.5ms")).Message);
        Assert.Contains("window is 1 ms to one day", Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(1, TimeSpan.FromTicks(100)).Validate()).Message);
        Assert.Contains("1 to 100,000 deliveries in consumer calls at once; 0 is out of range",
            Assert.Throws<ArgumentOutOfRangeException>(() => new FlowLimits { MaxConcurrency = 0 }.Validate()).Message);
    }

    [Fact]
    public void TheStoredForm_ReadsBackWhatWasWritten_AndAnythingElseReadsAsNone()
    {
        var both = new FlowLimits { Rate = new RateLimit(7, TimeSpan.FromMilliseconds(250)), MaxConcurrency = 3 };
        Assert.Equal("v1;7;250;3", Redis.RedisQueueStore.EncodeFlowLimits(both));
        foreach (var limits in new[] { both, both with { Rate = null }, both with { MaxConcurrency = null } })
            Assert.Equal(limits, Redis.RedisQueueStore.DecodeFlowLimits(Redis.RedisQueueStore.EncodeFlowLimits(limits)));
        Assert.Null(Redis.RedisQueueStore.DecodeFlowLimits(RedisValue.Null));
        foreach (var bad in new[] { "v2;1;1;1", "v1;1;1", "v1;x;1000;-", "v1;0;1000;-", "v1;-;-;0", "v1;5;-;-" })
            Assert.Null(Redis.RedisQueueStore.DecodeFlowLimits(bad));
    }

    // ---- the rate limit ----

    [Fact]
    public void ARateLimit_HandsOutItsCountPerWindow_AndTheNextOnlyWhenTheWindowMovesOn()
    {
        var dispatcher = NewDispatcher(Rate(3, 1), Singles(5));
        AddItems(dispatcher, 10);

        var first = dispatcher.Assign(At(0));
        Assert.Equal(3, first.Sum(c => c.Items.Count));
        EndAll(dispatcher, first, At(0.1));
        Assert.Empty(dispatcher.Assign(At(0.5)));
        Assert.True(dispatcher.HeldByRateLimit(At(0.5)));
        Assert.Equal(At(1), dispatcher.NextDeadline(At(0.5)));
        Assert.Empty(dispatcher.Assign(At(0.999)));

        var second = dispatcher.Assign(At(1));
        Assert.Equal(3, second.Sum(c => c.Items.Count));
        Assert.Equal(4, dispatcher.Queued);
    }

    [Fact]
    public void TheWindowSlides_NoWindowOfTheLengthEverHoldsMoreThanTheCount()
    {
        var dispatcher = NewDispatcher(Rate(2, 1), Singles(1));
        AddItems(dispatcher, 20);
        var handedOut = new List<int>();
        // Ask every 50 ms for 5 s, ending each call at once: the only brake is the limit.
        for (var ms = 0; ms <= 5000; ms += 50)
        {
            var now = T0.AddMilliseconds(ms);
            foreach (var (slot, items) in dispatcher.Assign(now))
            {
                handedOut.AddRange(items.Select(_ => ms));
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
            if (ms == 600) Assert.Equal([0, 50], handedOut); // one consumer, calls ended at once: 2 in the first 50 ms
        }
        Assert.Equal([0, 50, 1000, 1050, 2000, 2050, 3000, 3050, 4000, 4050, 5000], handedOut); // each as soon as the one two before has left the window
        for (var i = 2; i < handedOut.Count; i++) Assert.True(handedOut[i] - handedOut[i - 2] >= 1000, $"3 hand-outs within one window: {string.Join(", ", handedOut)}");
    }

    [Fact]
    public void ADispatcherThatWakesLate_KeepsTheWindowsPace_AndNoShorterWindowHoldsMoreThanTheCount()
    {
        var dispatcher = NewDispatcher(Rate(10, 1), Singles(10));
        AddItems(dispatcher, 200);
        var handedOut = new List<int>();
        var now = T0;
        // Each wake 80 ms after the window let the next ones out (a busy silo): a log of the times they went out would
        // open every window 80 ms later than the one before, and 20 wakes would lose 1.6 s.
        for (var wake = 0; wake < 20; wake++)
        {
            foreach (var (slot, items) in dispatcher.Assign(now))
            {
                handedOut.AddRange(items.Select(_ => (int)(now - T0).TotalMilliseconds));
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
            if (dispatcher.Queued == 0) break;
            now = dispatcher.NextDeadline(now) + TimeSpan.FromMilliseconds(80);
        }
        Assert.Equal(200, handedOut.Count);
        Assert.Equal(19_080, handedOut[^1]); // the 20th window at 19 s + 80 ms, not at 19 × 1.08 s
        for (var i = 10; i < handedOut.Count; i++)
            Assert.True(handedOut[i] - handedOut[i - 10] >= 900, $"11 hand-outs within 0.9 s: {handedOut[i - 10]} and {handedOut[i]}");
    }

    [Fact]
    public void IdleTime_IsNeverMadeUp_ASlotThatCameFreeLongAgoCountsFromWhenItIsTaken()
    {
        var gate = new FlowGate();
        gate.Set(Rate(2, 1));
        gate.HandedOut(At(0), 2);
        Assert.Equal(2, gate.Allowance(At(5), 0)); // idle for 4 s: both slots free since 1 s
        gate.HandedOut(At(5), 2);
        Assert.Equal(0, gate.Allowance(At(5.9), 0));
        Assert.Equal(At(6), gate.NextAllowed(At(5.9))); // counted from 5 s, not from 1 s
    }

    [Fact]
    public void FetchRoom_KeepsAtMostOneWindowWaiting_UnderARateLimit()
    {
        var dispatcher = NewDispatcher(Rate(5, 60), Singles(2));
        Assert.Equal(5, dispatcher.FetchRoom(100));
        AddItems(dispatcher, 3);
        Assert.Equal(2, dispatcher.FetchRoom(100));
        Assert.Equal(1, dispatcher.FetchRoom(1));
        Assert.Equal(0, dispatcher.FetchRoom(0));
        Assert.Equal(100, NewDispatcher(new FlowLimits { MaxConcurrency = 1 }, Singles(2)).FetchRoom(100));
    }

    [Fact]
    public void ALowerRateSet_KeepsTheNewestHandOutsCounted()
    {
        var gate = new FlowGate();
        gate.Set(Rate(10, 1));
        gate.HandedOut(At(0), 4);
        gate.HandedOut(At(0.5), 4);
        gate.Set(Rate(5, 1));
        Assert.Equal(0, gate.Allowance(At(0.6), 0)); // the newest 5 are still in the window
        Assert.Equal(1, gate.Allowance(At(1.0), 0)); // the one of 0 s has left it; the 4 of 0.5 s have not
        gate.Set(null);
        Assert.Equal(int.MaxValue, gate.Allowance(At(1.0), 1000));
    }

    [Fact]
    public void ABatchConsumerUnderARateBelowItsSize_GetsAWindowsWorthAtOnce_NotOnlyAtItsTimeout()
    {
        var batch = new ConsumerSlot(new ConsumerRegistration("b", GrainId.Create("test", "b"), 50, TimeSpan.FromSeconds(5)), null, null);
        var dispatcher = NewDispatcher(Rate(10, 1), batch);
        AddItems(dispatcher, 30);

        Assert.Equal(10, Assert.Single(dispatcher.Assign(At(0))).Items.Count); // 10 is all the rate ever lets out: a full batch
        dispatcher.CallEnded(batch, CallEnd.Completed, At(0.1));
        Assert.Null(dispatcher.AssignTo(batch, At(0.1)));
        Assert.Equal(At(1), dispatcher.NextDeadline(At(0.1)));
        Assert.Equal(10, Assert.Single(dispatcher.Assign(At(1))).Items.Count); // the next window, not the 5 s timeout
    }

    [Fact]
    public void LimitsThatHoldEverything_NeverGiveADeadlineAlreadyPast_EvenWhenABatchTimeoutHasPassed()
    {
        var batch = new ConsumerSlot(new ConsumerRegistration("b", GrainId.Create("test", "b"), 5, TimeSpan.FromSeconds(1)), null, null);
        var single = Singles(1)[0];
        var dispatcher = NewDispatcher(new FlowLimits(), batch, single);
        AddItems(dispatcher, 3);
        var first = Assert.Single(dispatcher.Assign(At(0))); // the single consumer takes one; the batch starts to fill
        Assert.Equal(single, first.Slot);
        dispatcher.Gate.Set(new FlowLimits { MaxConcurrency = 1 }); // now nothing more may go out until that call ends

        Assert.Empty(dispatcher.Assign(At(2))); // the batch timeout passed at 1 s, but the limit holds
        Assert.True(dispatcher.NextDeadline(At(2)) > At(2), "a deadline in the past makes the pump spin");
        dispatcher.CallEnded(single, CallEnd.Completed, At(3));
        Assert.Single(Assert.Single(dispatcher.Assign(At(3))).Items); // past its timeout: what the limit allows
    }

    [Fact]
    public void ACallThatTimedOut_CountsAgainstTheConcurrencyLimitUntilItsConsumerReturns()
    {
        var slots = Singles(3);
        var dispatcher = NewDispatcher(new FlowLimits { MaxConcurrency = 1 }, slots);
        AddItems(dispatcher, 2);
        var (slot, items) = Assert.Single(dispatcher.Assign(At(0)));
        // The pump hands a timed-out call's delivery out again, but the consumer grain is still running the call.
        items[0].TimedOutAttempts++;
        dispatcher.Redeliver(items[0], At(30));
        Assert.Empty(dispatcher.Assign(At(60)));
        Assert.Equal(1, dispatcher.InFlight);
        dispatcher.CallEnded(slot, CallEnd.TimedOut, At(61));
        Assert.Single(dispatcher.Assign(At(61)));
    }

    // ---- the concurrency limit ----

    [Fact]
    public void AConcurrencyLimit_CapsTheDeliveriesInsideCalls_AndAFinishedCallLetsTheNextOut()
    {
        var slots = Singles(5);
        var dispatcher = NewDispatcher(new FlowLimits { MaxConcurrency = 2 }, slots);
        AddItems(dispatcher, 10);

        var first = dispatcher.Assign(At(0));
        Assert.Equal(2, first.Count);
        Assert.Equal(2, dispatcher.InFlight);
        Assert.Empty(dispatcher.Assign(At(1)));
        Assert.Null(dispatcher.AssignTo(slots[4], At(1)));

        dispatcher.CallEnded(first[0].Slot, CallEnd.Completed, At(2));
        Assert.Single(dispatcher.AssignTo(first[0].Slot, At(2))!);
        dispatcher.CallEnded(first[1].Slot, CallEnd.TimedOut, At(3));
        Assert.Single(dispatcher.Assign(At(3)));
        Assert.Equal(2, dispatcher.InFlight);
        Assert.False(dispatcher.HeldByRateLimit(At(3)));
    }

    [Fact]
    public void ABatchConsumer_UnderAConcurrencyLimitBelowItsSize_IsFullAtTheLimit_AndAPartOfThatWaitsForItsTimeout()
    {
        var batch = new ConsumerSlot(new ConsumerRegistration("b", GrainId.Create("test", "b"), 5, TimeSpan.FromSeconds(1)), null, null);
        var dispatcher = NewDispatcher(new FlowLimits { MaxConcurrency = 3 }, batch);
        AddItems(dispatcher, 4);

        var call = Assert.Single(dispatcher.Assign(At(0))); // at most 3 at once: 3 is a full batch
        Assert.Equal(3, call.Items.Count);
        Assert.Equal(3, dispatcher.InFlight);
        dispatcher.CallEnded(batch, CallEnd.Completed, At(0.1));
        Assert.Null(dispatcher.AssignTo(batch, At(0.1))); // 1 left: a partial batch, left to its timeout
        Assert.Empty(dispatcher.Assign(At(0.5)));
        Assert.Single(Assert.Single(dispatcher.Assign(At(1.5))).Items);
    }
}
