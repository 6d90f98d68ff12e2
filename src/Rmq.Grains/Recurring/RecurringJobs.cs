using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rmq.Hosting;
using Rmq.Redis;

namespace Rmq.Recurring;

/// <summary>What one <see cref="RecurringJobs.EnsureAsync"/> found.</summary>
/// <param name="Jobs">How many recurring jobs the queue has.</param>
/// <param name="NextDueIn">How long until the earliest pending occurrence is due (by Redis's clock; zero when due), or null when none is pending.</param>
internal readonly record struct RecurringEnsured(int Jobs, TimeSpan? NextDueIn);

/// <summary>
/// "Ensure next occurrence" for every recurring job of a queue: read the jobs and Redis's clock, decide with
/// <see cref="RecurringPlanner"/>, and write each decision with a compare-and-set. Safe to run from any number
/// of silos at once and at any time — the queue grain's scheduler, the cleaner's pass and
/// <c>ScheduleRecurring</c> all do: each occurrence is scheduled at most once, and moved to ready once by
/// the scheduled-delivery machinery.
/// </summary>
internal sealed partial class RecurringJobs(RedisQueueStore store, IOptions<RmqOptions> options, ILogger<RecurringJobs> logger)
{
    /// <summary>How often one ensure re-reads after losing a compare-and-set to another silo; the winner's write needs nothing more.</summary>
    private const int MaxAttempts = 5;

    /// <param name="queue">The queue whose jobs to move on.</param>
    /// <param name="afterRead">
    /// Runs between the read and the writes: for tests, a silo that stalls there (a long GC pause, a slow
    /// network) while other silos move the job on — its stale decisions must then be refused.
    /// </param>
    public async Task<RecurringEnsured> EnsureAsync(string queue, Func<Task>? afterRead = null)
    {
        var missedAfter = (long)options.Value.RecurringMissedAfter.TotalMilliseconds;
        RecurringEnsured result = default;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var read = await store.ReadRecurringAsync(queue).ConfigureAwait(false);
            if (afterRead is not null) await afterRead().ConfigureAwait(false);
            var conflict = false;
            long earliest = long.MaxValue;
            foreach (var job in read.Jobs)
            {
                RecurringStep? step;
                RecurringState? state = RecurringState.TryDecode(job.State);
                try
                {
                    if (RecurringDefinition.TryDecode(job.Definition) is not { } definition)
                    {
                        LogBadDefinition(queue, job.Name);
                        continue;
                    }
                    step = RecurringPlanner.Plan(job.Name, definition, RecurringCalendar.From(definition), state, job.Present, read.NowMs, missedAfter);
                    if (step is not null)
                    {
                        var pendingId = state is { Pending: > 0 } s ? RecurringState.OccurrenceId(job.Name, s.Pending) : "";
                        var header = step.Add is { } at ? OccurrenceHeader(definition, job.Name, at) : [];
                        var written = await store.AdvanceRecurringAsync(queue, job.Name, job.State, pendingId, job.Present,
                            step.RemoveId, step.Add, header, step.NewState.Encode()).ConfigureAwait(false);
                        if (written == 0)
                        {
                            // Another silo moved this job on since the read: its write stands; read again.
                            conflict = true;
                            continue;
                        }
                        if (written < 0) continue; // removed meanwhile
                        if (step.Add is { } added) LogScheduled(queue, job.Name, Iso(added));
                        state = step.NewState;
                    }
                }
                catch (ArgumentException e)
                {
                    // A definition this silo cannot read (a time zone it lacks): the others go on.
                    LogBadDefinition(queue, job.Name, e);
                    continue;
                }
                if (state is { Pending: > 0 } now) earliest = Math.Min(earliest, now.Pending);
            }
            result = new RecurringEnsured(read.Jobs.Count,
                // Clamped: a corrupt pending time must not throw (the scheduler's wait is capped anyway).
                earliest == long.MaxValue ? null : TimeSpan.FromMilliseconds(Math.Clamp(earliest - read.NowMs, 0, (long)TimeSpan.FromDays(3650).TotalMilliseconds)));
            if (!conflict) return result;
        }
        return result;
    }

    /// <summary>The rmq header of one occurrence (without the payload): the job's headers, its name and the occurrence's time.</summary>
    public static byte[] OccurrenceHeader(RecurringDefinition definition, string name, long occurrenceMs)
    {
        var headers = new Dictionary<string, string[]>(definition.Headers ?? [])
        {
            [RecurringJob.NameHeader] = [name],
            [RecurringJob.OccurrenceHeader] = [Iso(occurrenceMs)],
        };
        return HeaderCodec.Encode([], headers);
    }

    /// <summary>An occurrence's time as its header writes it: ISO 8601, UTC, milliseconds.</summary>
    public static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue}: recurring job {Name} scheduled its occurrence at {Occurrence}")]
    private partial void LogScheduled(string queue, string name, string occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: recurring job {Name} has a definition this silo cannot read; it is left as it is")]
    private partial void LogBadDefinition(string queue, string name, Exception? exception = null);
}
