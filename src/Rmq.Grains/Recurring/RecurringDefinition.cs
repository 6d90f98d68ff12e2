using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rmq.Recurring;

/// <summary>
/// A recurring job as stored in <c>rmq-recurring</c> (JSON; the payload is apart, in <c>rmq-recurring-elements</c>).
/// <see cref="Generation"/> changes with every <c>ScheduleRecurring</c>, and is part of the job's state, so a
/// replaced job's old schedule is never carried on.
/// </summary>
internal sealed record RecurringDefinition(
    [property: JsonPropertyName("gen")] string Generation,
    [property: JsonPropertyName("cron")] string? Cron,
    [property: JsonPropertyName("tz")] string TimeZoneId,
    [property: JsonPropertyName("everyMs")] long? EveryMs,
    [property: JsonPropertyName("anchorMs")] long AnchorMs,
    [property: JsonPropertyName("missed")] MissedOccurrencePolicy Missed,
    [property: JsonPropertyName("headers")] Dictionary<string, string[]>? Headers)
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public string Encode() => JsonSerializer.Serialize(this, Json);

    /// <summary>The definition, or null when the stored text is not one (written by hand, or by a newer Rmq).</summary>
    public static RecurringDefinition? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        try { return JsonSerializer.Deserialize<RecurringDefinition>(text, Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>The schedule as users wrote it.</summary>
    public RecurringSchedule Schedule => Cron is not null
        ? RecurringSchedule.Cron(Cron, TimeZoneId, Missed)
        : RecurringSchedule.Every(TimeSpan.FromMilliseconds(EveryMs ?? 0), Missed);
}

/// <summary>
/// A job's state in <c>rmq-recurring-state</c>: <c>generation|pending|last|resume</c>. Pending is the
/// occurrence waiting in the scheduled set (unix ms, 0 for none), last the last one seen published, resume
/// (0 for none) the time after which the next occurrence is counted once a missed one fires late.
/// </summary>
internal readonly record struct RecurringState(string Generation, long Pending, long Last, long Resume)
{
    public string Encode() => $"{Generation}|{Pending}|{Last}|{Resume}";

    public static RecurringState? TryDecode(string? text)
    {
        var parts = (text ?? "").Split('|');
        if (parts.Length != 4) return null;
        return long.TryParse(parts[1], out var pending) && long.TryParse(parts[2], out var last) && long.TryParse(parts[3], out var resume)
            ? new RecurringState(parts[0], pending, last, resume)
            : null;
    }

    /// <summary>The id of an occurrence in the scheduled set: deterministic, so it is the same whoever schedules it.</summary>
    public static string OccurrenceId(string name, long occurrenceMs) => $"rec:{name}:{occurrenceMs}";
}
