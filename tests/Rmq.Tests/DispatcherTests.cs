using Rmq.Queue;

namespace Rmq.Tests;

/// <summary>
/// The <see cref="Dispatcher"/>'s rules, without Redis or Orleans: the time is passed in, calls are
/// "started" by taking what <see cref="Dispatcher.Assign"/> returns and "ended" with
/// <see cref="Dispatcher.CallEnded"/>. The dispatcher never touches a slot's grain references, so the
/// slots carry none.
/// </summary>
public sealed class DispatcherTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    // Distinct values, so a rule that uses the wrong one shows.
    private static readonly TimeSpan Unreachable = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RedeliveryBackoff = TimeSpan.FromSeconds(2);

    private static DateTime At(double seconds) => T0.AddSeconds(seconds);

    private static Dispatcher NewDispatcher(params ConsumerSlot[] slots)
    {
        var dispatcher = new Dispatcher(new DispatchPolicy(Unreachable, FailureBackoff, MaxBackoff, RedeliveryBackoff));
        foreach (var slot in slots) dispatcher.AddSlot(slot);
        return dispatcher;
    }

    private static ConsumerSlot Single(string name) =>
        new(new ConsumerRegistration(name, GrainId.Create("test", name), 0, TimeSpan.Zero), null, null);

    private static ConsumerSlot Batch(string name, int size, TimeSpan timeout) =>
        new(new ConsumerRegistration(name, GrainId.Create("test", name), size, timeout), null, null);

    private static Prefetched Item(long id) =>
        new(new RedisValue($"raw-{id}"), new Delivery("q", [(byte)id], new Dictionary<string, string[]>(), id));

    private static void AddItems(Dispatcher dispatcher, params long[] ids)
    {
        foreach (var id in ids) dispatcher.Add(Item(id));
    }

    private static long[] Ids(IEnumerable<Prefetched> items) => items.Select(p => p.Delivery.Id).ToArray();

    /// <summary>Who got what in one <see cref="Dispatcher.Assign"/>: consumer name and delivery ids, in call order.</summary>
    private static (string Consumer, long[] Ids)[] Calls(List<(ConsumerSlot Slot, List<Prefetched> Items)> calls) =>
        calls.Select(c => (c.Slot.Registration.Name, Ids(c.Items))).ToArray();

    /// <summary>A call to <paramref name="slot"/> that timed out with <paramref name="item"/>, as the pump records it.</summary>
    private static void TimeOut(Dispatcher dispatcher, ConsumerSlot slot, Prefetched item, DateTime now)
    {
        item.TimedOutAttempts++;
        dispatcher.Redeliver(item, now);
        dispatcher.CallEnded(slot, CallEnd.TimedOut, now);
    }

    // ---- round robin, one call per consumer ----

    [Fact]
    public void Assign_GivesEachIdleConsumerOneDelivery_OldestFirst()
    {
        var dispatcher = NewDispatcher(Single("a"), Single("b"), Single("c"));
        AddItems(dispatcher, 1, 2, 3, 4, 5);

        var calls = Calls(dispatcher.Assign(T0));

        Assert.Equal([("a", [1L]), ("b", [2L]), ("c", [3L])], calls);
        Assert.Equal(2, dispatcher.Queued);
        Assert.All(dispatcher.Slots, s => Assert.True(s.Busy));
    }

    [Fact]
    public void Assign_StartsWithTheNextConsumer_EachRound()
    {
        var dispatcher = NewDispatcher(Single("a"), Single("b"), Single("c"));
        var served = new List<string>();
        for (var round = 0; round < 6; round++)
        {
            AddItems(dispatcher, round);
            var now = At(round);
            foreach (var (slot, _) in dispatcher.Assign(now))
            {
                served.Add(slot.Registration.Name);
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
        }

        Assert.Equal(["a", "b", "c", "a", "b", "c"], served);
    }

    [Fact]
    public void Assign_SharesDeliveriesEvenly_AcrossRounds()
    {
        var dispatcher = NewDispatcher(Single("a"), Single("b"), Single("c"));
        var counts = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        var id = 0L;
        for (var round = 0; round < 6; round++)
        {
            AddItems(dispatcher, ++id, ++id); // two deliveries for three consumers
            var now = At(round);
            var calls = dispatcher.Assign(now);
            Assert.Equal(2, calls.Count);
            foreach (var (slot, _) in calls)
            {
                counts[slot.Registration.Name]++;
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
        }

        Assert.Equal(new Dictionary<string, int> { ["a"] = 4, ["b"] = 4, ["c"] = 4 }, counts);
    }

    [Fact]
    public void Assign_SharesDeliveriesEvenly_AmongTheIdleConsumers_WhileOneStaysBusy()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a, Single("b"), Single("c"));
        AddItems(dispatcher, 0);
        Assert.Equal([("a", [0L])], Calls(dispatcher.Assign(T0))); // a stays busy from here on

        var counts = new Dictionary<string, int> { ["b"] = 0, ["c"] = 0 };
        for (var round = 1; round <= 6; round++)
        {
            AddItems(dispatcher, round);
            var now = At(round);
            foreach (var (slot, _) in dispatcher.Assign(now))
            {
                counts[slot.Registration.Name]++;
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
        }

        Assert.True(a.Busy);
        Assert.Equal(new Dictionary<string, int> { ["b"] = 3, ["c"] = 3 }, counts);
    }

    [Fact]
    public void Assign_KeepsItsPlace_WhenARoundHandsOutNothing()
    {
        // The pump calls Assign on every step, most of them with nothing to hand out: those must not
        // move the round robin on, or with two consumers the same one could be served every time.
        var dispatcher = NewDispatcher(Single("a"), Single("b"));
        var served = new List<string>();
        for (var round = 0; round < 4; round++)
        {
            var now = At(round);
            AddItems(dispatcher, round);
            foreach (var (slot, _) in dispatcher.Assign(now))
            {
                served.Add(slot.Registration.Name);
                dispatcher.CallEnded(slot, CallEnd.Completed, now);
            }
            Assert.Empty(dispatcher.Assign(now)); // a step with nothing queued
        }

        Assert.Equal(["a", "b", "a", "b"], served);
    }

    [Fact]
    public void Assign_SkipsABusyConsumer()
    {
        var dispatcher = NewDispatcher(Single("a"), Single("b"));
        AddItems(dispatcher, 1);
        Assert.Equal([("a", [1L])], Calls(dispatcher.Assign(T0)));

        AddItems(dispatcher, 2, 3);
        Assert.Equal([("b", [2L])], Calls(dispatcher.Assign(At(1))));

        // Both busy: nothing more, however much is queued.
        Assert.Empty(dispatcher.Assign(At(2)));
        Assert.Equal(1, dispatcher.Queued);
    }

    [Fact]
    public void Assign_SkipsAConsumerThatIsBackingOff_AndServesItOnceTheBackoffIsOver()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a, Single("b"));
        AddItems(dispatcher, 1);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(a, CallEnd.Failed, T0); // a: no deliveries before T0 + 1 s

        AddItems(dispatcher, 2, 3);
        Assert.Equal([("b", [2L])], Calls(dispatcher.Assign(At(0.5))));
        Assert.Empty(dispatcher.Assign(At(0.9)));
        Assert.Equal([("a", [3L])], Calls(dispatcher.Assign(At(1))));
    }

    [Fact]
    public void AssignTo_GivesNothing_ToABusyConsumer()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        AddItems(dispatcher, 1, 2);
        dispatcher.Assign(T0);

        Assert.Null(dispatcher.AssignTo(a, At(1)));
        Assert.Equal(1, dispatcher.Queued);
    }

    [Fact]
    public void AssignTo_GivesAConsumerThatJustFinished_TheOldestDelivery()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        AddItems(dispatcher, 1, 2, 3);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(a, CallEnd.Completed, At(1));

        var next = dispatcher.AssignTo(a, At(1));

        Assert.Equal([2L], Ids(next!));
        Assert.True(a.Busy);
        Assert.Equal(1, dispatcher.Queued);
    }

    [Fact]
    public void AssignTo_GivesNothing_WhenNothingIsQueued()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        AddItems(dispatcher, 1);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(a, CallEnd.Completed, At(1));

        Assert.Null(dispatcher.AssignTo(a, At(1)));
        Assert.False(a.Busy);
    }

    // ---- batches ----

    [Fact]
    public void Assign_HandsOutAFullBatch_AtOnce()
    {
        var dispatcher = NewDispatcher(Batch("b", 3, TimeSpan.FromSeconds(1)));
        AddItems(dispatcher, 1, 2, 3, 4);

        Assert.Equal([("b", [1L, 2L, 3L])], Calls(dispatcher.Assign(T0)));
        Assert.Equal(1, dispatcher.Queued);
    }

    [Fact]
    public void Assign_HoldsAPartialBatch_UntilTheBatchTimeoutHasPassedSinceItStartedFilling()
    {
        var dispatcher = NewDispatcher(Batch("b", 3, TimeSpan.FromSeconds(1)));
        AddItems(dispatcher, 1);
        Assert.Empty(dispatcher.Assign(T0)); // the batch starts to fill at T0
        Assert.Equal(At(1), dispatcher.NextDeadline(T0));

        AddItems(dispatcher, 2);
        Assert.Empty(dispatcher.Assign(At(0.5)));
        Assert.Equal(At(1), dispatcher.NextDeadline(At(0.5))); // counted from the first delivery, not the last

        Assert.Empty(dispatcher.Assign(At(0.999)));
        Assert.Equal([("b", [1L, 2L])], Calls(dispatcher.Assign(At(1))));
        Assert.Equal(0, dispatcher.Queued);
    }

    [Fact]
    public void Assign_HandsOutABatchThatFills_BeforeItsTimeout()
    {
        var dispatcher = NewDispatcher(Batch("b", 3, TimeSpan.FromSeconds(1)));
        AddItems(dispatcher, 1);
        Assert.Empty(dispatcher.Assign(T0));

        AddItems(dispatcher, 2, 3);
        Assert.Equal([("b", [1L, 2L, 3L])], Calls(dispatcher.Assign(At(0.2))));
    }

    [Fact]
    public void Assign_StartsANewFill_AfterABatchWasHandedOut()
    {
        var b = Batch("b", 3, TimeSpan.FromSeconds(1));
        var dispatcher = NewDispatcher(b);
        AddItems(dispatcher, 1, 2, 3, 4);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(b, CallEnd.Completed, At(5));

        // Delivery 4 has waited since T0, but this batch starts to fill now.
        Assert.Empty(dispatcher.Assign(At(5)));
        Assert.Equal(At(6), dispatcher.NextDeadline(At(5)));
        Assert.Equal([("b", [4L])], Calls(dispatcher.Assign(At(6))));
    }

    [Fact]
    public void AssignTo_HandsAFullBatchOnly()
    {
        var b = Batch("b", 3, TimeSpan.FromSeconds(1));
        var dispatcher = NewDispatcher(b);
        AddItems(dispatcher, 1, 2, 3, 4, 5);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(b, CallEnd.Completed, At(5));

        // Two waiting, long past the batch timeout: a partial batch is Assign's to hand out, not AssignTo's.
        Assert.Null(dispatcher.AssignTo(b, At(5)));
        Assert.False(b.Busy);

        AddItems(dispatcher, 6);
        Assert.Equal([4L, 5L, 6L], Ids(dispatcher.AssignTo(b, At(5))!));
        Assert.True(b.Busy);
    }

    [Fact]
    public void AssignTo_DrainingTheQueue_RestartsTheFillOfAWaitingBatch()
    {
        // The pump calls AssignTo when a call ends, which can happen while a round trip is under way;
        // the next fetch then lands in a dispatcher that Assign has not looked at in between.
        var s = Single("s");
        var dispatcher = NewDispatcher(s, Batch("b", 3, TimeSpan.FromSeconds(1)));
        AddItems(dispatcher, 1, 2);
        Assert.Equal([("s", [1L])], Calls(dispatcher.Assign(T0))); // b starts to fill with 2
        dispatcher.CallEnded(s, CallEnd.Completed, At(0.5));
        Assert.Equal([2L], Ids(dispatcher.AssignTo(s, At(0.5))!)); // s takes 2: b has nothing left

        AddItems(dispatcher, 3);

        // b's batch starts to fill with 3, now: it is not handed out at once as if it had waited since T0.
        Assert.Empty(dispatcher.Assign(At(1.5)));
        Assert.Equal(At(2.5), dispatcher.NextDeadline(At(1.5)));
        Assert.Equal([("b", [3L])], Calls(dispatcher.Assign(At(2.5))));
    }

    [Fact]
    public void Assign_RestartsTheFillOfAWaitingBatch_WhenAnotherConsumerTookTheLastDelivery()
    {
        var s = Single("s");
        var b = Batch("b", 3, TimeSpan.FromSeconds(5));
        var dispatcher = NewDispatcher(s, b);
        AddItems(dispatcher, 1);
        dispatcher.CallEnded(s, CallEnd.Failed, T0); // s backs off until T0 + 1 s
        Assert.Empty(dispatcher.Assign(T0));          // b starts to fill with 1
        Assert.Equal(T0, b.FillStartedAt);

        Assert.Equal([("s", [1L])], Calls(dispatcher.Assign(At(1)))); // b's batch is not due before T0 + 5 s
        Assert.Null(b.FillStartedAt);
    }

    // ---- consumer backoff ----

    [Fact]
    public void CallEnded_AFailingConsumerBacksOff_1x2x4x_UpToMaxFailureBackoff()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        var now = T0;
        var expected = new[] { 1, 2, 4, 8, 10, 10 }; // seconds: FailureBackoff 1 s, doubled, capped at 10 s
        for (var i = 0; i < expected.Length; i++)
        {
            AddItems(dispatcher, i);
            Assert.Single(dispatcher.Assign(now));
            dispatcher.CallEnded(a, i % 2 == 0 ? CallEnd.Failed : CallEnd.TimedOut, now);

            Assert.Equal(i + 1, a.Failures);
            Assert.Equal(now.AddSeconds(expected[i]), a.RetryAt);
            AddItems(dispatcher, 100 + i);
            Assert.Equal(a.RetryAt, dispatcher.NextDeadline(now));
            Assert.Null(dispatcher.AssignTo(a, a.RetryAt.AddTicks(-1)));
            Assert.Empty(dispatcher.Assign(a.RetryAt.AddTicks(-1)));
            now = a.RetryAt;
            dispatcher.TakeQueued();
        }
    }

    [Fact]
    public void CallEnded_Completed_ResetsTheBackoff()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        var now = T0;
        for (var i = 0; i < 3; i++)
        {
            AddItems(dispatcher, i);
            Assert.Single(dispatcher.Assign(now));
            dispatcher.CallEnded(a, CallEnd.Failed, now);
            now = a.RetryAt;
        }
        Assert.Equal(3, a.Failures);

        AddItems(dispatcher, 10);
        Assert.Single(dispatcher.Assign(now));
        dispatcher.CallEnded(a, CallEnd.Completed, now);
        Assert.Equal(0, a.Failures);

        AddItems(dispatcher, 11);
        Assert.Single(dispatcher.Assign(now)); // no pause after a success
        dispatcher.CallEnded(a, CallEnd.Failed, now);
        Assert.Equal(now + FailureBackoff, a.RetryAt); // and the next failure starts from 1x again
    }

    [Fact]
    public void CallEnded_NeverRan_WaitsUnreachableDelay_WithoutCountingAFailure()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        AddItems(dispatcher, 1);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(a, CallEnd.Failed, T0);
        Assert.Equal(1, a.Failures);

        AddItems(dispatcher, 2);
        Assert.Single(dispatcher.Assign(At(1)));
        dispatcher.CallEnded(a, CallEnd.NeverRan, At(1));

        Assert.Equal(1, a.Failures);
        Assert.Equal(At(1) + Unreachable, a.RetryAt);

        // Again: the same delay, it does not grow.
        AddItems(dispatcher, 3);
        Assert.Equal(At(4), dispatcher.NextDeadline(At(1)));
        Assert.Empty(dispatcher.Assign(At(3.9)));
        Assert.Single(dispatcher.Assign(At(4)));
        dispatcher.CallEnded(a, CallEnd.NeverRan, At(4));
        Assert.Equal(1, a.Failures);
        Assert.Equal(At(4) + Unreachable, a.RetryAt);
    }

    // ---- redelivery after a timed-out call ----

    [Fact]
    public void Redeliver_WaitsItsBackoff_WhileNewerDeliveriesAreHandedOut()
    {
        var a = Single("a");
        var b = Single("b");
        var dispatcher = NewDispatcher(a, b);
        var first = Item(1);
        dispatcher.Add(first);
        Assert.Equal([("a", [1L])], Calls(dispatcher.Assign(T0)));

        TimeOut(dispatcher, a, first, At(1)); // 1 attempt: back after RedeliveryBackoff (2 s)
        Assert.Equal(At(3), first.NotBefore);
        Assert.Equal(1, dispatcher.Queued);
        Assert.Equal(At(2), dispatcher.NextDeadline(At(1))); // a's own backoff ends first

        AddItems(dispatcher, 2);
        Assert.Equal([("b", [2L])], Calls(dispatcher.Assign(At(2)))); // a is free again, but 1 is not due
        dispatcher.CallEnded(b, CallEnd.Completed, At(2));
        Assert.Null(dispatcher.AssignTo(b, At(2.5)));
        Assert.Equal(At(3), dispatcher.NextDeadline(At(2.5)));
    }

    [Fact]
    public void Redeliver_GoesBeforeBufferedDeliveries_OnceDue_OldestFirst()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        AddItems(dispatcher, 7, 8);
        // Two deliveries fetched before 7 and 8 timed out; the younger one is redelivered first.
        var older = Item(2);
        var younger = Item(5);
        younger.TimedOutAttempts = 1;
        dispatcher.Redeliver(younger, T0);
        older.TimedOutAttempts = 1;
        dispatcher.Redeliver(older, T0);

        var order = new List<long>();
        var now = At(2);
        foreach (var (slot, items) in dispatcher.Assign(now)) order.AddRange(Ids(items));
        for (var i = 0; i < 3; i++)
        {
            dispatcher.CallEnded(a, CallEnd.Completed, now);
            order.AddRange(Ids(dispatcher.AssignTo(a, now)!));
        }

        Assert.Equal([2L, 5L, 7L, 8L], order);
    }

    [Fact]
    public void Redeliver_BackoffDoublesPerAttempt_UpToMaxFailureBackoff()
    {
        var dispatcher = NewDispatcher();
        var expected = new[] { 2, 4, 8, 10, 10 }; // seconds: RedeliveryBackoff 2 s, doubled, capped at 10 s
        for (var attempts = 1; attempts <= expected.Length; attempts++)
        {
            var item = Item(attempts);
            item.TimedOutAttempts = attempts;
            dispatcher.Redeliver(item, T0);
            Assert.Equal(At(expected[attempts - 1]), item.NotBefore);
        }
    }

    [Fact]
    public void Assign_FillsABatch_WithDueRedeliveriesFirst_AndCountsOnlyDueOnes()
    {
        var dispatcher = NewDispatcher(Batch("b", 3, TimeSpan.FromSeconds(5)));
        var due = Item(4);
        due.TimedOutAttempts = 1;
        dispatcher.Redeliver(due, T0);      // due at T0 + 2 s
        var later = Item(3);
        later.TimedOutAttempts = 3;
        dispatcher.Redeliver(later, T0);    // due at T0 + 8 s
        AddItems(dispatcher, 6, 7);

        // Four queued, but only two due at T0 + 1 s: not a full batch.
        Assert.Equal(4, dispatcher.Queued);
        Assert.Empty(dispatcher.Assign(At(1)));

        Assert.Equal([("b", [4L, 6L, 7L])], Calls(dispatcher.Assign(At(2))));
        Assert.Equal(1, dispatcher.Queued);
    }

    // ---- NextDeadline ----

    [Fact]
    public void NextDeadline_IsMaxValue_WhenNothingIsQueued()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a, Batch("b", 3, TimeSpan.FromSeconds(1)));
        AddItems(dispatcher, 1);
        dispatcher.Assign(T0);
        dispatcher.CallEnded(a, CallEnd.Failed, T0); // a backing off, but there is nothing for it

        Assert.Equal(DateTime.MaxValue, dispatcher.NextDeadline(T0));
    }

    [Fact]
    public void NextDeadline_IsMaxValue_WhenEveryConsumerIsBusy()
    {
        var dispatcher = NewDispatcher(Single("a"));
        AddItems(dispatcher, 1, 2);
        dispatcher.Assign(T0);

        Assert.Equal(DateTime.MaxValue, dispatcher.NextDeadline(T0)); // the call ending wakes the engine
    }

    [Fact]
    public void NextDeadline_IsTheEarliestOfBatchTimeoutBackoffAndRedelivery()
    {
        var s = Single("s");
        var b = Batch("b", 5, TimeSpan.FromSeconds(4));
        var dispatcher = NewDispatcher(s, b);
        var redelivered = Item(1);
        redelivered.TimedOutAttempts = 3;
        dispatcher.Redeliver(redelivered, T0);    // due at T0 + 8 s
        for (var i = 0; i < 4; i++) dispatcher.CallEnded(s, CallEnd.Failed, T0); // 4 in a row: s retries at T0 + 8 s
        AddItems(dispatcher, 2);
        Assert.Empty(dispatcher.Assign(At(1))); // b starts to fill at T0 + 1 s: due at T0 + 5 s

        Assert.Equal(At(5), dispatcher.NextDeadline(At(1)));

        var late = Item(0);
        late.TimedOutAttempts = 1;
        dispatcher.Redeliver(late, At(1));      // due at T0 + 3 s
        Assert.Equal(At(3), dispatcher.NextDeadline(At(1)));
    }

    // ---- TakeQueued and Queued ----

    [Fact]
    public void TakeQueued_ReturnsRedeliveriesAndBuffer_OldestFirst_AndLeavesNothing()
    {
        var dispatcher = NewDispatcher(Single("a"));
        AddItems(dispatcher, 10, 11, 12);
        dispatcher.Assign(T0); // a holds 10
        foreach (var id in new long[] { 5, 2, 8 })
        {
            var item = Item(id);
            item.TimedOutAttempts = 1;
            dispatcher.Redeliver(item, id == 2 ? At(-10) : T0); // 2 is due, 5 and 8 are not
        }
        AddItems(dispatcher, 13);

        var taken = dispatcher.TakeQueued();

        Assert.Equal([2L, 5L, 8L, 11L, 12L, 13L], Ids(taken));
        Assert.Equal(0, dispatcher.Queued);
        Assert.Empty(dispatcher.QueuedItems);
        Assert.Equal(DateTime.MaxValue, dispatcher.NextDeadline(T0));
        Assert.Empty(dispatcher.TakeQueued());
    }

    [Fact]
    public void TakeQueued_ClearsBatchFillTimers()
    {
        var b = Batch("b", 3, TimeSpan.FromSeconds(1));
        var dispatcher = NewDispatcher(b);
        AddItems(dispatcher, 1);
        dispatcher.Assign(T0); // b starts to fill
        Assert.Equal(T0, b.FillStartedAt);

        Assert.Equal([1L], Ids(dispatcher.TakeQueued()));
        Assert.Null(b.FillStartedAt);

        // Later deliveries start a new fill: not handed out at once as if they had waited since T0.
        AddItems(dispatcher, 2);
        Assert.Empty(dispatcher.Assign(At(5)));
        Assert.Equal(At(6), dispatcher.NextDeadline(At(5)));
    }

    [Fact]
    public void Queued_CountsBufferedAndRedeliveries_NotWhatConsumersHold()
    {
        var a = Single("a");
        var dispatcher = NewDispatcher(a);
        Assert.Equal(0, dispatcher.Queued);

        AddItems(dispatcher, 1, 2, 3);
        Assert.Equal(3, dispatcher.Queued);

        var held = dispatcher.Assign(T0).Single().Items.Single();
        Assert.Equal(2, dispatcher.Queued);

        TimeOut(dispatcher, a, held, At(1));
        Assert.Equal(3, dispatcher.Queued); // not yet due, still counted
        Assert.Equal([1L, 2L, 3L], Ids(dispatcher.QueuedItems).Order());
    }
}
