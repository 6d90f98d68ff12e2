using System.Text;
using Microsoft.Extensions.Logging;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// The queue's scheduler (scheduled publishes are in Publishing/QueuePublishing.cs): one grain timer (never one per delivery)
/// that sleeps until the earliest due time it knows of, moves what is due to ready in batches, and
/// re-arms itself for the next one; it also schedules the next occurrences of the queue's recurring jobs
/// (QueueGrain.Recurring.cs) and stays while there are any. The cleaner is the scheduler's safety net: each pass it moves due
/// deliveries of every scheduling queue itself and activates the queue grain, so a silo's death only
/// delays them by up to a cleaner interval.
/// </summary>
internal sealed partial class QueueGrain
{
    /// <summary>
    /// The longest the scheduler sleeps: deliveries scheduled by other processes (the direct publisher,
    /// another activation) for earlier than this scheduler knows are found within this much.
    /// </summary>
    internal static readonly TimeSpan SchedulerMaxSleep = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan SchedulerRetryDelay = TimeSpan.FromSeconds(1);
    private IGrainTimer? _scheduler;
    private bool _deactivating;
    private DateTime _schedulerDue = DateTime.MaxValue;

    /// <summary>Makes the scheduler fire within <paramref name="dueIn"/> (capped at <see cref="SchedulerMaxSleep"/>), unless it fires sooner already.</summary>
    private void ArmScheduler(TimeSpan dueIn)
    {
        if (_deactivating) return;
        if (dueIn < TimeSpan.Zero) dueIn = TimeSpan.Zero;
        if (dueIn > SchedulerMaxSleep) dueIn = SchedulerMaxSleep;
        var at = DateTime.UtcNow + dueIn;
        if (_scheduler is not null && at >= _schedulerDue) return;
        _schedulerDue = at;
        if (_scheduler is null)
            // KeepAlive: a queue with scheduled deliveries keeps its scheduler, consuming or not.
            _scheduler = this.RegisterGrainTimer(MoveDueAsync,
                new GrainTimerCreationOptions(dueIn, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        else
            _scheduler.Change(dueIn, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The scheduler's tick: moves due deliveries in batches, then sleeps until the next one or stops when none is left.</summary>
    private async Task MoveDueAsync()
    {
        // Cleared first: a publish that arms the scheduler while this runs sets it again, and is kept.
        _schedulerDue = DateTime.MaxValue;
        TimeSpan? next;
        try
        {
            // Recurring jobs first: a missed occurrence is judged (and with Skip removed) before it is moved.
            var recurringNext = await EnsureRecurringAsync();
            long moved, movedAll = 0;
            do
            {
                // Checkpoint: each batch is one script; if the silo dies between two, the rest is still
                // scheduled and the cleaner (or the next activation) moves it. Nothing moves twice.
                (moved, next) = await store.MoveDueAsync(_name);
                movedAll += moved;
                if (moved > 0)
                {
                    LogMovedDue(_name, moved);
                    _engine?.Wake();
                }
            }
            while (moved == RedisQueueStore.MoveDueBatch && next == TimeSpan.Zero);
            // An occurrence just moved to ready: schedule the job's next one now, not a tick later.
            if (recurringNext is not null && movedAll > 0) recurringNext = await EnsureRecurringAsync();
            if (recurringNext is { } r && (next is null || r < next)) next = r;
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            LogMoveDueFailed(_name, e);
            ArmScheduler(SchedulerRetryDelay);
            return;
        }
        catch (Exception e)
        {
            // A defect must not end the scheduler: due deliveries and retries would wait for the cleaner.
            LogSchedulerDefect(_name, e);
            ArmScheduler(SchedulerRetryDelay);
            return;
        }
        if (next is { } wait) ArmScheduler(wait);
        // Consuming, nothing scheduled: keep looking every SchedulerMaxSleep. Direct publishers do not arm
        // this timer, and the cleaner's ping does not either while the grain is active, so without this
        // their deliveries would wait for the cleaner's passes (one batch per queue per CleanerInterval).
        else if (_engine is not null) ArmScheduler(SchedulerMaxSleep);
        else if (_schedulerDue == DateTime.MaxValue)
        {
            // Nothing scheduled and nothing armed meanwhile: the timer goes, and with it the keep-alive.
            _scheduler?.Dispose();
            _scheduler = null;
        }
    }

    public Task WakeScheduler()
    {
        EnsureValidName();
        // A scheduler that is waiting already looks within SchedulerMaxSleep; only a stopped one needs a push.
        if (_scheduler is null || _schedulerDue == DateTime.MaxValue) ArmScheduler(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    /// <summary>On activation: look at the queue's scheduled deliveries once; the scheduler stays only if there are any.</summary>
    private void StartScheduler() => ArmScheduler(TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue}: moved {Count} due scheduled deliveries to ready")]
    private partial void LogMovedDue(string queue, long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: the scheduler failed (a defect); it tries again shortly")]
    private partial void LogSchedulerDefect(string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not move due scheduled deliveries; trying again shortly")]
    private partial void LogMoveDueFailed(string queue, Exception exception);
}
