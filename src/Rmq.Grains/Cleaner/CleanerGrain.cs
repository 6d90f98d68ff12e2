using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Recurring;
using Rmq.Redis;

namespace Rmq.Cleaner;

/// <summary>
/// Go rmq's cleaner (RMQ-SEMANTICS §6) as a grain, with two additions: a connection whose owning silo
/// Orleans has declared dead is cleaned at once, without waiting for its heartbeat to expire; and every
/// queue configured as consuming is kept activated, so consumption resumes after its silo dies.
/// Not reentrant: passes never overlap.
/// </summary>
internal sealed partial class CleanerGrain(
    RedisQueueStore store,
    IClusterMembershipService membership,
    IOptions<RmqOptions> options,
    RmqMetrics metrics,
    ILogger<CleanerGrain> logger,
    RecurringJobs recurring,
    ILocalSiloDetails silo) : Grain, ICleanerGrain
{
    private CleanerPass? _lastPass;
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);
    private HashSet<string> _ownersWithoutConnection = [];
    private Dictionary<(string Connection, string Queue), DateTime> _orphansSince = [];
    private DateTime _nextOrphanSweep;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.CleanerInterval;
        if (options.Value.CleanerEnabled)
            this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(interval, interval) { KeepAlive = true });
        LogActivated(interval, options.Value.CleanerEnabled);
        return Task.CompletedTask;
    }

    public Task<long> Clean() => RecordedPassAsync();

    public Task Ping() => Task.CompletedTask;

    public Task<CleanerPass?> GetLastPass() => Task.FromResult(_lastPass);

    /// <summary>A pass, remembered for <see cref="GetLastPass"/> whether it completed or Redis failed it.</summary>
    private async Task<long> RecordedPassAsync()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var returned = await PassAsync();
            _lastPass = new CleanerPass(DateTimeOffset.UtcNow, silo.SiloAddress.ToParsableString(), returned, System.Diagnostics.Stopwatch.GetElapsedTime(started), null);
            return returned;
        }
        catch (Exception e)
        {
            _lastPass = new CleanerPass(DateTimeOffset.UtcNow, silo.SiloAddress.ToParsableString(), 0, System.Diagnostics.Stopwatch.GetElapsedTime(started), $"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await RecordedPassAsync();
        }
        catch (RedisUnavailableException e)
        {
            LogPassFailed(e.Message);
        }
    }

    private async Task<long> PassAsync()
    {
        // Owners are read before connections: a connection is registered only after its owner, so
        // every registered connection read below has its owner in this map.
        var owners = await store.ConnectionSilosAsync();
        var connections = await store.ConnectionsAsync();
        var snapshot = membership.CurrentSnapshot;
        long total = 0;
        foreach (var connection in connections)
        {
            try
            {
                var ownerDead = owners.TryGetValue(connection, out var silo) && IsDead(snapshot, silo);
                if (!ownerDead && await store.IsAliveAsync(connection)) continue;
                foreach (var (queue, returned) in await store.CleanConnectionAsync(connection))
                {
                    total += returned;
                    metrics.CleanerReturned(queue, returned);
                    LogCleaned(connection, queue, returned, ownerDead ? "its silo is dead" : "its heartbeat expired");
                }
            }
            catch (Exception e) when (e is not RedisUnavailableException)
            {
                // One bad connection does not stop the pass; the next pass tries it again.
                LogConnectionFailed(connection, e);
            }
        }
        await ForgetStaleOwnersAsync(owners.Keys, connections);
        try
        {
            total += await SweepOrphansAsync();
        }
        catch (RedisUnavailableException e)
        {
            // Keeping consuming queues active matters more; the next sweep tries again.
            LogPassFailed(e.Message);
        }
        try
        {
            // Before the move: a missed occurrence is judged (and with Skip removed) before it could be moved.
            await EnsureRecurringAsync();
        }
        catch (RedisUnavailableException e)
        {
            LogPassFailed(e.Message);
        }
        try
        {
            await MoveDueScheduledAsync();
        }
        catch (RedisUnavailableException e)
        {
            LogPassFailed(e.Message);
        }
        await EnsureConsumingQueuesActiveAsync();
        return total;
    }

    /// <summary>
    /// The safety net of the queues' schedulers: moves due deliveries of every queue that schedules (one
    /// batch per queue per pass; its scheduler moves the rest), and activates the queue grain of each that
    /// still has some, so its scheduler moves them on time from then on — after a silo's death, or when
    /// only a direct publisher scheduled them. Moving is one idempotent script, so running beside the
    /// scheduler never moves a delivery twice.
    /// </summary>
    private async Task MoveDueScheduledAsync()
    {
        var pending = new List<Task>();
        foreach (var queue in await store.ScheduledQueuesAsync())
        {
            if (QueueNames.Problem(queue) is not null) continue;
            try
            {
                var (moved, next) = await store.MoveDueAsync(queue);
                if (moved > 0) LogMovedDue(queue, moved);
                if (next is not null) pending.Add(GrainFactory.GetGrain<IQueueGrain>(queue).WakeScheduler());
            }
            catch (Exception e) when (e is not RedisUnavailableException)
            {
                // One queue whose keys have the wrong type does not keep the others waiting.
                LogScheduledFailed(queue, e);
            }
        }
        try
        {
            await Task.WhenAll(pending).WaitAsync(PingTimeout);
        }
        catch (Exception e)
        {
            LogPingFailed(e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// The safety net of recurring jobs: schedules the next occurrence of every job of every queue in
    /// <see cref="Rmq.Redis.RedisKeys.RecurringQueues"/> (a compare-and-set: running beside the queues'
    /// schedulers schedules nothing twice), and activates the queue grain of each queue that has jobs, so
    /// its scheduler fires them on time — after a silo's death, or a restart of the whole cluster.
    /// </summary>
    private async Task EnsureRecurringAsync()
    {
        var pending = new List<Task>();
        foreach (var queue in await store.RecurringQueuesAsync())
        {
            if (QueueNames.Problem(queue) is not null) continue;
            try
            {
                if ((await recurring.EnsureAsync(queue)).Jobs > 0)
                    pending.Add(GrainFactory.GetGrain<IQueueGrain>(queue).WakeScheduler());
            }
            catch (Exception e) when (e is not RedisUnavailableException)
            {
                // One queue whose keys have the wrong type does not keep the others waiting.
                LogRecurringFailed(queue, e);
            }
        }
        try
        {
            await Task.WhenAll(pending).WaitAsync(PingTimeout);
        }
        catch (Exception e)
        {
            LogPingFailed(e.GetType().Name, e.Message);
        }
    }

    private async Task ForgetStaleOwnersAsync(IEnumerable<string> owned, string[] connections)
    {
        // An owner is written just before its connection registers; forget it only when it was
        // unregistered in two passes in a row, so a registration in progress is never cut short.
        var registered = connections.ToHashSet();
        var unregistered = owned.Where(c => !registered.Contains(c)).ToHashSet();
        var stale = unregistered.Where(_ownersWithoutConnection.Contains).ToList();
        await store.ForgetOwnersAsync(stale);
        _ownersWithoutConnection = unregistered;
    }

    /// <summary>
    /// Returns unacked lists whose connection is not registered at all — left behind by a consumer that
    /// was unregistered while it still fetched, or by a Go rmq zombie — once they have stayed so for
    /// twice the heartbeat TTL (so a connection in the middle of closing is never raced). Go rmq's
    /// cleaner never finds these: it starts from the registered connections. Scans at most every TTL.
    /// </summary>
    private async Task<long> SweepOrphansAsync()
    {
        var now = DateTime.UtcNow;
        if (now < _nextOrphanSweep) return 0;
        var ttl = options.Value.HeartbeatTtl;
        _nextOrphanSweep = now + TimeSpan.FromTicks(Math.Min(ttl.Ticks, options.Value.CleanerInterval.Ticks * 10));
        // Read the lists first: a connection registered after this read is not mistaken for missing.
        var lists = await store.UnackedListsAsync();
        var registered = (await store.ConnectionsAsync()).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<(string, string), DateTime>();
        long total = 0;
        foreach (var list in lists)
        {
            if (registered.Contains(list.Connection)) continue;
            var since = _orphansSince.GetValueOrDefault(list, now);
            if (now - since < ttl * 2)
            {
                seen[list] = since;
                continue;
            }
            try
            {
                var returned = await store.ReturnOrphanAsync(list.Connection, list.Queue);
                total += returned;
                metrics.CleanerReturned(list.Queue, returned);
                LogCleaned(list.Connection, list.Queue, returned, "its unacked list was left behind by an unregistered connection");
            }
            catch (Exception e) when (e is not RedisUnavailableException)
            {
                // One bad list (a ready key of the wrong type…) does not keep the others waiting.
                seen[list] = since;
                LogConnectionFailed(list.Connection, e);
            }
        }
        _orphansSince = seen;
        return total;
    }

    /// <summary>Activating a consuming queue grain makes it resume (on a live silo) from its persisted configuration.</summary>
    private async Task EnsureConsumingQueuesActiveAsync()
    {
        var pings = (await store.ConsumingQueuesAsync())
            .Select(q => GrainFactory.GetGrain<IQueueGrain>(q).GetConnectionName())
            .ToList();
        try
        {
            await Task.WhenAll(pings).WaitAsync(PingTimeout);
        }
        catch (Exception e)
        {
            LogPingFailed(e.GetType().Name, e.Message);
        }
    }

    private static bool IsDead(ClusterMembershipSnapshot snapshot, string silo)
    {
        try
        {
            return snapshot.GetSiloStatus(SiloAddress.FromParsableString(silo)) == SiloStatus.Dead;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaner active (interval {Interval}, timer enabled: {Enabled})")]
    private partial void LogActivated(TimeSpan interval, bool enabled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaned connection {Connection} ({Reason}): {Returned} deliveries of queue {Queue} back to ready")]
    private partial void LogCleaned(string connection, string queue, long returned, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaning connection {Connection} failed; trying again next pass")]
    private partial void LogConnectionFailed(string connection, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaner moved {Count} due scheduled deliveries of queue {Queue} to ready")]
    private partial void LogMovedDue(string queue, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving due scheduled deliveries of queue {Queue} failed; trying again next pass")]
    private partial void LogScheduledFailed(string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduling recurring jobs of queue {Queue} failed; trying again next pass")]
    private partial void LogRecurringFailed(string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleaner pass failed: {Error}")]
    private partial void LogPassFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activating consuming queues did not complete ({ExceptionType}: {Error})")]
    private partial void LogPingFailed(string exceptionType, string error);
}
