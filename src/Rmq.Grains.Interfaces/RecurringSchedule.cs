namespace Rmq;

/// <summary>
/// When a recurring job (<see cref="IQueueGrain.ScheduleRecurring(string, RecurringSchedule, string)"/>) fires:
/// a cron expression in a time zone (<see cref="Cron"/>), or a fixed interval (<see cref="Every"/>), and what
/// happens to occurrences missed while no silo could publish them (<see cref="Missed"/>).
/// </summary>
/// <remarks>
/// Build it with <see cref="Cron"/> or <see cref="Every"/>; the queue grain checks it (a bad expression, an
/// unknown time zone, an interval under <see cref="RecurringJob.MinInterval"/>) before Redis is touched.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record RecurringSchedule
{
    /// <summary>
    /// The cron expression (Cronos syntax): 5 fields (minute hour day-of-month month day-of-week) or 6 with
    /// seconds first, or a macro such as <c>@daily</c>. Null for an interval schedule.
    /// </summary>
    [Id(0)] public string? CronExpression { get; init; }

    /// <summary>The time zone the cron expression is read in: a TimeZoneInfo id (IANA or Windows, e.g. <c>Europe/Berlin</c>). Default <c>UTC</c>.</summary>
    [Id(1)] public string TimeZoneId { get; init; } = "UTC";

    /// <summary>The interval of an interval schedule (occurrences at creation time + k × interval, k ≥ 1); null for a cron schedule.</summary>
    [Id(2)] public TimeSpan? Interval { get; init; }

    /// <summary>What happens to occurrences that could not be published on time; default <see cref="MissedOccurrencePolicy.FireOnce"/>.</summary>
    [Id(3)] public MissedOccurrencePolicy Missed { get; init; } = MissedOccurrencePolicy.FireOnce;

    /// <summary>A cron schedule: <c>RecurringSchedule.Cron("0 9 * * MON-FRI", "Europe/Berlin")</c>; 6 fields include seconds (<c>"*/2 * * * * *"</c>).</summary>
    public static RecurringSchedule Cron(string expression, string timeZoneId = "UTC", MissedOccurrencePolicy missed = MissedOccurrencePolicy.FireOnce) =>
        new() { CronExpression = expression, TimeZoneId = timeZoneId, Missed = missed };

    /// <summary>An interval schedule: the first occurrence one interval after <c>ScheduleRecurring</c>, then every interval (on Redis's clock).</summary>
    public static RecurringSchedule Every(TimeSpan interval, MissedOccurrencePolicy missed = MissedOccurrencePolicy.FireOnce) =>
        new() { Interval = interval, TimeZoneId = "UTC", Missed = missed };

    /// <summary>The schedule as text: the cron expression, or <c>every 00:00:05</c>.</summary>
    public override string ToString() => CronExpression ?? (Interval is { } every ? $"every {every}" : "(empty)");
}

/// <summary>
/// What a recurring job does with occurrences that were not published within <c>Rmq:RecurringMissedAfter</c>
/// (1 minute by default) of their time — because no silo ran, or Redis was unreachable.
/// </summary>
public enum MissedOccurrencePolicy
{
    /// <summary>
    /// Publish once, late, for all the occurrences missed in one outage together (never more than one late
    /// publish), then carry on with the next occurrence in the future. The default: a daily report missed at
    /// 09:00 is still made when the cluster comes back at 09:20.
    /// </summary>
    FireOnce = 0,

    /// <summary>Publish none of the missed occurrences; carry on with the next occurrence in the future.</summary>
    Skip = 1,
}

/// <summary>A recurring job of a queue, as <see cref="IQueueGrain.ListRecurring"/> reads it from Redis.</summary>
/// <param name="Name">The job's name, unique in its queue.</param>
/// <param name="Schedule">The schedule as text: the cron expression, or <c>every &lt;interval&gt;</c>.</param>
/// <param name="TimeZoneId">The time zone of a cron expression (<c>UTC</c> for intervals).</param>
/// <param name="Missed">The missed-occurrence policy.</param>
/// <param name="NextOccurrence">The occurrence waiting in the scheduled set (it reaches ready then), or null when none is yet.</param>
/// <param name="LastOccurrence">The last occurrence Rmq saw published (moved to ready), or null when none was yet.</param>
[GenerateSerializer, Immutable]
public sealed record RecurringJobInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Schedule,
    [property: Id(2)] string TimeZoneId,
    [property: Id(3)] MissedOccurrencePolicy Missed,
    [property: Id(4)] DateTimeOffset? NextOccurrence,
    [property: Id(5)] DateTimeOffset? LastOccurrence);
