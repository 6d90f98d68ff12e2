using System.Text;
using Microsoft.Extensions.Logging;
using Rmq.Recurring;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// Recurring jobs: defined in Redis, fired through the scheduled set. Each occurrence is scheduled by a
/// compare-and-set (<see cref="RecurringJobs"/>) — here when a job is created, by the scheduler after each
/// move, and by the cleaner's pass — and moved to ready by the scheduler like any scheduled delivery.
/// </summary>
internal sealed partial class QueueGrain
{
    public Task<RecurringJobInfo> ScheduleRecurring(string name, RecurringSchedule schedule, string payload)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return ScheduleRecurringCore(name, schedule, payload, Encoding.UTF8.GetByteCount(payload), null);
    }

    public Task<RecurringJobInfo> ScheduleRecurringBytes(string name, RecurringSchedule schedule, byte[] payload)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return ScheduleRecurringCore(name, schedule, payload, payload.LongLength, null);
    }

    public Task<RecurringJobInfo> ScheduleRecurringWithHeaders(string name, RecurringSchedule schedule, string payload, IReadOnlyDictionary<string, string[]> headers)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(headers);
        return ScheduleRecurringCore(name, schedule, payload, Encoding.UTF8.GetByteCount(payload), headers);
    }

    private async Task<RecurringJobInfo> ScheduleRecurringCore(string name, RecurringSchedule schedule, RedisValue payload, long payloadBytes,
        IReadOnlyDictionary<string, string[]>? headers)
    {
        RecurringJob.ValidateName(name);
        // Checked on this machine's clock (the anchor is Redis's, read below): only "never fires" depends on it.
        RecurringCalendar.Create(schedule, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var definition = new RecurringDefinition(Guid.NewGuid().ToString("N")[..16], schedule.CronExpression, schedule.CronExpression is null ? "UTC" : schedule.TimeZoneId,
            schedule.Interval is { } every ? (long)every.TotalMilliseconds : null, 0, schedule.Missed,
            headers is { Count: > 0 } ? headers.ToDictionary(h => h.Key, h => h.Value) : null);
        // The element an occurrence puts in ready is its rmq header (fixed length) and the payload.
        var element = RecurringJobs.OccurrenceHeader(definition, name, 0).Length + payloadBytes;
        if (element > _options.MaxPayloadBytes)
            throw new ArgumentException(
                $"payload is {payloadBytes} bytes, {element} with the occurrence's rmq header; the limit is {_options.MaxPayloadBytes} bytes (Rmq:MaxPayloadBytes). Nothing was scheduled.",
                nameof(payload));

        // An interval counts from Redis's clock, as every scheduled time does.
        var (now, _) = await store.ReadRecurringAsync(_name);
        definition = definition with { AnchorMs = now };
        var replaced = await store.DefineRecurringAsync(_name, name, definition.Encode(), payload,
            new RecurringState(definition.Generation, 0, 0, 0).Encode(), listQueue: !_publishing.Listed);
        _publishing.Listed = true;
        LogRecurringDefined(_name, name, schedule.ToString(), replaced);
        // The first occurrence, at once (the scheduler and the cleaner would also find it).
        var ensured = await recurring.EnsureAsync(_name);
        ArmScheduler(ensured.NextDueIn ?? SchedulerMaxSleep);
        return (await ListRecurringCore()).FirstOrDefault(j => j.Name == name)
            ?? new RecurringJobInfo(name, schedule.ToString(), definition.TimeZoneId, schedule.Missed, null, null);
    }

    public Task<bool> RemoveRecurring(string name)
    {
        EnsureValidName();
        RecurringJob.ValidateName(name);
        return store.RemoveRecurringAsync(_name, name);
    }

    public async Task<IReadOnlyList<RecurringJobInfo>> ListRecurring()
    {
        EnsureValidName();
        // Moved on first, so a next occurrence just published shows as the last one, and the next as next.
        await recurring.EnsureAsync(_name);
        return await ListRecurringCore();
    }

    private async Task<IReadOnlyList<RecurringJobInfo>> ListRecurringCore()
    {
        var (_, jobs) = await store.ReadRecurringAsync(_name);
        static DateTimeOffset? At(long ms) => ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        return jobs
            .Select(job => (job, definition: RecurringDefinition.TryDecode(job.Definition), state: RecurringState.TryDecode(job.State)))
            .Where(j => j.definition is not null)
            .Select(j => new RecurringJobInfo(j.job.Name, j.definition!.Schedule.ToString(), j.definition.TimeZoneId, j.definition.Missed,
                At(j.state?.Pending ?? 0), At(j.state?.Last ?? 0)))
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The scheduler's part: moves every recurring job on (<see cref="RecurringJobs.EnsureAsync"/>). Returns
    /// when to look again — null when the queue has no recurring job, at most <see cref="SchedulerMaxSleep"/>
    /// otherwise, so a queue with recurring jobs keeps its scheduler (and its activation) alive.
    /// </summary>
    private async Task<TimeSpan?> EnsureRecurringAsync()
    {
        RecurringEnsured ensured;
        try
        {
            ensured = await recurring.EnsureAsync(_name);
        }
        catch (Exception e) when (Faults.IsRedis(e) || e is RedisFullException)
        {
            // The move goes on regardless (it works on a full Redis too); the jobs are tried again shortly,
            // and a long gap is handled as missed occurrences.
            LogRecurringFailed(_name, e);
            return SchedulerRetryDelay;
        }
        if (ensured.Jobs == 0) return null;
        return ensured.NextDueIn is { } wait && wait < SchedulerMaxSleep ? wait : SchedulerMaxSleep;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not schedule the next occurrences of its recurring jobs; trying again shortly")]
    private partial void LogRecurringFailed(string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: recurring job {Name} ({Schedule}) defined (replaced an earlier one: {Replaced})")]
    private partial void LogRecurringDefined(string queue, string name, string schedule, bool replaced);
}
