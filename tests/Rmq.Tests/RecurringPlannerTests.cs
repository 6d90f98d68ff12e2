using Rmq.Hosting;
using Rmq.Recurring;

namespace Rmq.Tests;

/// <summary>
/// The decisions of "ensure next occurrence" without Redis (the Redis side is <see cref="RecurringTests"/>), and
/// the <c>Rmq:RecurringMissedAfter</c> setting's check.
/// </summary>
public sealed class RecurringPlannerTests
{
    private const long Minute = 60_000;
    private static readonly long Now = DateTimeOffset.Parse("2027-03-01T10:00:00.250Z").ToUnixTimeMilliseconds();

    private static RecurringDefinition EverySecond(MissedOccurrencePolicy missed) => new("g1", "* * * * * *", "UTC", null, 0, missed, null);

    private static RecurringStep? Plan(RecurringDefinition d, RecurringState? state, bool present) =>
        RecurringPlanner.Plan("job", d, RecurringCalendar.From(d), state, present, Now, Minute);

    [Fact]
    public void AnIntervalJob_CountsFromItsAnchor_AndANewStateSchedulesTheFirstOccurrence()
    {
        var d = new RecurringDefinition("g1", null, "UTC", 5000, Now - 12_000, MissedOccurrencePolicy.FireOnce, null);
        var step = Plan(d, new RecurringState("g1", 0, 0, 0), false)!;
        Assert.Equal(Now + 3000, step.Add); // anchor + 3 × 5 s
        Assert.Equal(new RecurringState("g1", Now + 3000, 0, 0), step.NewState);
        // A state of another generation (the job was replaced) starts over.
        Assert.Equal(Now + 3000, Plan(d, new RecurringState("old", Now - 500, Now - 1000, 0), true)!.Add);
    }

    [Fact]
    public void OnTime_NothingToDo_AndAfterAPublish_TheNextOne()
    {
        var d = EverySecond(MissedOccurrencePolicy.Skip);
        Assert.Null(Plan(d, new RecurringState("g1", Now + 750, 0, 0), true));
        Assert.Null(Plan(d, new RecurringState("g1", Now - 250, 0, 0), true)); // due: the mover's, not ensure's
        var step = Plan(d, new RecurringState("g1", Now - 250, 0, 0), false)!;
        Assert.Equal((Now + 750, (string?)null), (step.Add, step.RemoveId));
        Assert.Equal(new RecurringState("g1", Now + 750, Now - 250, 0), step.NewState);
    }

    [Fact]
    public void MissedWhileScheduled_FireOnceMarksItOnce_SkipRemovesIt()
    {
        var pending = Now - 10 * Minute - 250;
        var fire = Plan(EverySecond(MissedOccurrencePolicy.FireOnce), new RecurringState("g1", pending, 0, 0), true)!;
        Assert.Equal((null, (long?)null), (fire.RemoveId, fire.Add));
        Assert.Equal(Now, fire.NewState.Resume);
        Assert.Null(Plan(EverySecond(MissedOccurrencePolicy.FireOnce), fire.NewState, true)); // marked already
        // Once it fired (late), the next one counts from the mark, not from the missed one.
        Assert.Equal(Now + 750, Plan(EverySecond(MissedOccurrencePolicy.FireOnce), fire.NewState, false)!.Add);

        var skip = Plan(EverySecond(MissedOccurrencePolicy.Skip), new RecurringState("g1", pending, 0, 0), true)!;
        Assert.Equal(($"rec:job:{pending}", (long?)(Now + 750)), (skip.RemoveId, skip.Add));
    }

    [Fact]
    public void MissedAfterAPublish_FireOnceSchedulesOneLate_SkipTheNextInTheFuture()
    {
        var last = Now - 10 * Minute - 250;
        var fire = Plan(EverySecond(MissedOccurrencePolicy.FireOnce), new RecurringState("g1", last, 0, 0), false)!;
        Assert.Equal(last + 1000, fire.Add);
        Assert.Equal(new RecurringState("g1", last + 1000, last, Now), fire.NewState);
        Assert.Equal(Now + 750, Plan(EverySecond(MissedOccurrencePolicy.FireOnce), fire.NewState, false)!.Add);
        Assert.Equal(Now + 750, Plan(EverySecond(MissedOccurrencePolicy.Skip), new RecurringState("g1", last, 0, 0), false)!.Add);
    }

    [Fact]
    public void ACancelledOccurrence_IsSkipped()
    {
        var step = Plan(EverySecond(MissedOccurrencePolicy.FireOnce), new RecurringState("g1", Now + 1750, Now - 250, 0), false)!;
        Assert.Equal(Now + 2750, step.Add);
        Assert.Equal(Now - 250, step.NewState.Last);
    }

    [Theory]
    [InlineData("00:00:00.999")]
    [InlineData("1.00:00:01")]
    public void RecurringMissedAfter_OutOfBounds_IsRefusedNamingTheSetting(string value)
    {
        var problem = RmqOptionsValidator.Problem(new RmqOptions { RecurringMissedAfter = TimeSpan.Parse(value) });
        Assert.Contains("Rmq:RecurringMissedAfter", problem);
        Assert.Contains("at least 1 s", problem);
    }
}
