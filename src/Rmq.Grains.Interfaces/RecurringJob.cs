namespace Rmq;

/// <summary>
/// The rules for recurring jobs' names and intervals (<see cref="IQueueGrain.ScheduleRecurring(string, RecurringSchedule, string)"/>),
/// and the headers each occurrence carries. Cron expressions and time zones are checked by the queue grain.
/// </summary>
public static class RecurringJob
{
    /// <summary>The longest job name: the occurrence's id in the scheduled set, <c>rec:&lt;name&gt;:&lt;unix ms&gt;</c>, stays within <see cref="Scheduling.MaxIdLength"/>.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The shortest interval, 1 s: occurrences are kept apart by Redis round trips, and a shorter one is likely a unit mistake.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>The longest interval, 366 days (a yearly job is better written as a cron expression).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(366);

    /// <summary>The rmq header every occurrence carries: the job's name.</summary>
    public const string NameHeader = "rmq-recurring";

    /// <summary>The rmq header every occurrence carries: its time, ISO 8601 in UTC with milliseconds (<c>2027-01-01T09:00:00.000Z</c>). Name and time identify an occurrence: use them to make a consumer idempotent.</summary>
    public const string OccurrenceHeader = "rmq-occurrence";

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <c>name</c> unless it is 1 to <see cref="MaxNameLength"/>
    /// ASCII letters, digits, <c>.</c>, <c>_</c> or <c>-</c>.
    /// </summary>
    public static void ValidateName(string? name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Length > MaxNameLength)
            throw new ArgumentException($"name must be 1 to {MaxNameLength} characters, but it has {name.Length}. Nothing was scheduled.", nameof(name));
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                throw new ArgumentException($"name '{name}' contains '{c}'; use only ASCII letters, digits, '.', '_' or '-'. Nothing was scheduled.", nameof(name));
        }
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming <c>schedule</c> when an interval is under <see cref="MinInterval"/> or over <see cref="MaxInterval"/>.</summary>
    public static void ValidateInterval(TimeSpan interval)
    {
        if (interval < MinInterval || interval > MaxInterval)
            throw new ArgumentOutOfRangeException("schedule", interval,
                $"schedule's interval must be at least {MinInterval.TotalSeconds} s and at most {MaxInterval.TotalDays} days, but it is {interval}. Nothing was scheduled.");
    }
}
