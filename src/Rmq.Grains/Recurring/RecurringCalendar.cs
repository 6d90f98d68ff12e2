using Cronos;

namespace Rmq.Recurring;

/// <summary>
/// When a job's occurrences are: a Cronos cron expression read in a time zone, or an interval counted from
/// an anchor (anchor + k × interval, k ≥ 1). Times are unix milliseconds. Also where schedules are checked.
/// </summary>
internal sealed class RecurringCalendar
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo _zone;
    private readonly long _everyMs;
    private readonly long _anchorMs;

    private RecurringCalendar(CronExpression? cron, TimeZoneInfo zone, long everyMs, long anchorMs)
    {
        _cron = cron;
        _zone = zone;
        _everyMs = everyMs;
        _anchorMs = anchorMs;
    }

    /// <summary>
    /// Checks a schedule and returns its calendar (intervals anchored at <paramref name="anchorMs"/>). Throws an
    /// <see cref="ArgumentException"/> naming <c>schedule</c> that says what to change.
    /// </summary>
    public static RecurringCalendar Create(RecurringSchedule? schedule, long anchorMs)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (!Enum.IsDefined(schedule.Missed))
            throw new ArgumentException($"schedule's Missed policy is {(int)schedule.Missed}; it must be FireOnce or Skip. Nothing was scheduled.", nameof(schedule));
        if ((schedule.CronExpression is null) == (schedule.Interval is null))
            throw new ArgumentException("schedule must have either a cron expression or an interval (use RecurringSchedule.Cron or RecurringSchedule.Every). Nothing was scheduled.", nameof(schedule));
        if (schedule.Interval is { } interval)
        {
            RecurringJob.ValidateInterval(interval);
            return new RecurringCalendar(null, TimeZoneInfo.Utc, (long)interval.TotalMilliseconds, anchorMs);
        }
        var cron = ParseCron(schedule.CronExpression!);
        var zone = FindZone(schedule.TimeZoneId);
        var calendar = new RecurringCalendar(cron, zone, 0, anchorMs);
        if (calendar.NextAfter(anchorMs) == long.MaxValue)
            throw new ArgumentException($"schedule's cron expression '{schedule.CronExpression}' has no occurrence after now; it would never fire. Nothing was scheduled.", nameof(schedule));
        return calendar;
    }

    /// <summary>The calendar of a stored definition (checked when it was stored).</summary>
    public static RecurringCalendar From(RecurringDefinition definition) => definition.Cron is { } cron
        ? new RecurringCalendar(ParseCron(cron), FindZone(definition.TimeZoneId), 0, definition.AnchorMs)
        : new RecurringCalendar(null, TimeZoneInfo.Utc, Math.Max(1, definition.EveryMs ?? 1), definition.AnchorMs);

    /// <summary>The first occurrence strictly after <paramref name="afterMs"/>, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long NextAfter(long afterMs)
    {
        if (_cron is null)
        {
            var k = afterMs < _anchorMs ? 1 : (afterMs - _anchorMs) / _everyMs + 1;
            return _anchorMs + k * _everyMs;
        }
        var next = _cron.GetNextOccurrence(DateTimeOffset.FromUnixTimeMilliseconds(afterMs), _zone);
        return next?.ToUnixTimeMilliseconds() ?? long.MaxValue;
    }

    /// <summary>5 fields (or a macro such as <c>@daily</c>) are Standard; 6 include seconds first.</summary>
    private static CronExpression ParseCron(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var fields = expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            // Its message only: callers (Orleans clients) have no Cronos to deserialize the exception with.
            throw new ArgumentException(
                $"schedule's cron expression '{expression}' is not valid ({e.Message}). Use 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 9 * * MON-FRI\"), 6 with seconds first (e.g. \"*/5 * * * * *\"), or a macro such as @daily. Nothing was scheduled.",
                "schedule");
        }
    }

    private static TimeZoneInfo FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
            throw new ArgumentException("schedule's TimeZoneId is empty; use a time zone id such as \"UTC\" or \"Europe/Berlin\". Nothing was scheduled.", "schedule");
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException(
                $"schedule's TimeZoneId '{id}' is not a time zone this silo knows; use an IANA id such as \"Europe/Berlin\" or \"America/New_York\" (or \"UTC\"). Nothing was scheduled.",
                "schedule");
        }
    }
}
