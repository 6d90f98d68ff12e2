namespace Rmq.Recurring;

/// <summary>What to write for a job: an occurrence to remove and one to add in the scheduled set, and the new state.</summary>
internal sealed record RecurringStep(string? RemoveId, long? Add, RecurringState NewState);

/// <summary>
/// Decides, from a job's state as read and Redis's clock, what moves it on — with no I/O. The caller writes
/// the step with a compare-and-set (<c>RecurringScripts.Advance</c>), so a decision made on a stale read is
/// never written.
/// </summary>
/// <remarks>
/// An occurrence is <b>missed</b> when it is more than <c>missedAfter</c> past due and was never published on
/// time: still in the scheduled set (nothing moved it: no silo ran, Redis was unreachable), or not even
/// scheduled yet (nothing scheduled the next one after the last was published). Then:
/// <see cref="MissedOccurrencePolicy.FireOnce"/> lets one occurrence fire late (the pending one, or the first
/// missed one) and counts the next one from now, so any number of missed occurrences give one late publish;
/// <see cref="MissedOccurrencePolicy.Skip"/> removes the pending one (if it is still in the scheduled set)
/// and schedules the next one after now.
/// </remarks>
internal static class RecurringPlanner
{
    /// <param name="name">The job's name.</param>
    /// <param name="definition">The job as stored.</param>
    /// <param name="calendar">Its occurrences.</param>
    /// <param name="state">The state as read; null when there is none (a new job) or it is unreadable.</param>
    /// <param name="present">Whether the state's pending occurrence was in the scheduled set.</param>
    /// <param name="nowMs">Redis's clock at the read, unix ms.</param>
    /// <param name="missedAfterMs">Rmq:RecurringMissedAfter in ms.</param>
    /// <returns>The step to write, or null when the job needs nothing now.</returns>
    public static RecurringStep? Plan(string name, RecurringDefinition definition, RecurringCalendar calendar,
        RecurringState? state, bool present, long nowMs, long missedAfterMs)
    {
        var gen = definition.Generation;
        if (state is not { } s || s.Generation != gen)
            return Schedule(calendar.NextAfter(nowMs), new RecurringState(gen, 0, 0, 0), null);
        if (s.Pending == 0)
        {
            // New (or replaced) job, or a cron expression that had no further occurrence.
            var first = calendar.NextAfter(Math.Max(nowMs, s.Resume));
            return first == long.MaxValue ? null : Schedule(first, s, null);
        }
        var pendingId = RecurringState.OccurrenceId(name, s.Pending);
        var missed = s.Pending < nowMs - missedAfterMs;
        if (present)
        {
            if (!missed) return null; // on time: the scheduler (or the cleaner) moves it when due
            if (definition.Missed == MissedOccurrencePolicy.Skip)
                return Schedule(calendar.NextAfter(nowMs), s with { Resume = 0 }, pendingId);
            // FireOnce: it fires late, once; the next one is counted from now. Marked once only.
            return s.Resume >= s.Pending ? null : new RecurringStep(null, null, s with { Resume = nowMs });
        }
        if (s.Pending > nowMs)
            // Not yet due and gone from the scheduled set: cancelled (CancelScheduled of its id) — skip it.
            return Schedule(calendar.NextAfter(s.Pending), s with { Resume = 0 }, null);

        // Gone and due: it was moved to ready — published. The next one after it (or after the outage it fired late for).
        var published = s with { Last = s.Pending, Resume = 0 };
        var next = calendar.NextAfter(Math.Max(s.Pending, s.Resume));
        if (next == long.MaxValue || next >= nowMs - missedAfterMs) return Schedule(next, published, null);
        // Missed since: nothing scheduled them (every silo was down after the last one was published).
        return definition.Missed == MissedOccurrencePolicy.Skip
            ? Schedule(calendar.NextAfter(nowMs), published, null)
            : Schedule(next, published with { Resume = nowMs }, null);
    }

    private static RecurringStep Schedule(long occurrence, RecurringState state, string? removeId) =>
        occurrence == long.MaxValue
            ? new RecurringStep(removeId, null, state with { Pending = 0 })
            : new RecurringStep(removeId, occurrence, state with { Pending = occurrence });
}
