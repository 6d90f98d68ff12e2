using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// Go rmq's <c>CollectStats</c> over every listed queue (RMQ-SEMANTICS §7.1), with the same answers
/// but pipelined into three round trips instead of one command per read. It only reads: no
/// connection is registered, so it does not show up in the stats it collects.
/// </summary>
public sealed class RedisStatsReader(RedisConnection redis, RedisQueueStore store)
{
    private RedisKeys Keys => store.Keys;

    /// <summary>Reads the stats of every queue in <c>rmq::queues</c> and of every registered connection.</summary>
    public async Task<StatsOverview> ReadAsync(CancellationToken cancellationToken = default)
    {
        var db = await redis.GetDatabaseAsync().ConfigureAwait(false);
        try
        {
            return await ReadCoreAsync(db, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e))
        {
            throw redis.Unavailable("stats", e);
        }
    }

    private async Task<StatsOverview> ReadCoreAsync(IDatabase db, CancellationToken cancellationToken)
    {
        // Round trip 1: which queues and connections exist.
        var queuesTask = db.SetMembersAsync(RedisKeys.Queues);
        var connectionsTask = db.SetMembersAsync(RedisKeys.Connections);
        var queueNames = Sorted(await queuesTask.ConfigureAwait(false));
        var connectionNames = Sorted(await connectionsTask.ConfigureAwait(false));
        cancellationToken.ThrowIfCancellationRequested();

        // Round trip 2: list lengths per queue; liveness and consumed queues per connection.
        var queueCounts = queueNames.Select(q => ReadQueueCountsAsync(db, q)).ToList();
        var connections = connectionNames.Select(c => ReadConnectionAsync(db, c)).ToList();
        var counts = await Task.WhenAll(queueCounts).ConfigureAwait(false);
        var states = await Task.WhenAll(connections).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        // Round trip 3: unacked and consumers of each (connection, listed queue) pair. As Go rmq,
        // connections consuming only unlisted queues are shown nowhere.
        var listed = queueNames.ToHashSet(StringComparer.Ordinal);
        var pairs = states
            .SelectMany(s => s.Queues.Where(listed.Contains).Select(q => ReadPairAsync(db, s, q)))
            .ToList();
        var byQueue = (await Task.WhenAll(pairs).ConfigureAwait(false)).ToLookup(p => p.Queue, p => p.Connection);

        var queues = counts.Select(c => new QueueOverview(c.Queue, c.Ready, c.Rejected,
            byQueue[c.Queue].OrderBy(x => x.Name, StringComparer.Ordinal).ToList(), ScheduledCount: c.Scheduled,
            RetriedCount: c.Retried, DeadLetteredCount: c.DeadLettered, RecurringCount: c.Recurring)).ToList();
        var others = states.Where(s => s.Queues.Count == 0).Select(s => new ConnectionOverview(s.Name, s.Active)).ToList();
        return new StatsOverview(queues, others);
    }

    private async Task<(string Queue, long Ready, long Rejected, long Scheduled, long Retried, long DeadLettered, long Recurring)> ReadQueueCountsAsync(IDatabase db, string queue)
    {
        var ready = db.ListLengthAsync(Keys.Ready(queue));
        var rejected = db.ListLengthAsync(Keys.Rejected(queue));
        var scheduled = db.SortedSetLengthAsync(Keys.Scheduled(queue));
        var recurring = db.HashLengthAsync(Keys.Recurring(queue));
        var counters = RedisQueueStore.ReadCountersAsync(db, Keys, queue);
        var (retried, deadLettered) = await counters.ConfigureAwait(false);
        return (queue, await ready.ConfigureAwait(false), await rejected.ConfigureAwait(false), await scheduled.ConfigureAwait(false), retried, deadLettered,
            await recurring.ConfigureAwait(false));
    }

    private static async Task<ConnectionState> ReadConnectionAsync(IDatabase db, string connection)
    {
        var ttl = db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(connection));
        var queues = db.SetMembersAsync(RedisKeys.ConnectionQueues(connection));
        // As Go rmq: active = TTL > 0; a missing key (-2) or a key without expiry (-1) counts as dead.
        var active = await ttl.ConfigureAwait(false) is { } left && left > TimeSpan.Zero;
        return new ConnectionState(connection, active, Sorted(await queues.ConfigureAwait(false)));
    }

    private async Task<(string Queue, QueueConnectionOverview Connection)> ReadPairAsync(IDatabase db, ConnectionState connection, string queue)
    {
        var unacked = db.ListLengthAsync(Keys.Unacked(connection.Name, queue));
        var consumers = db.SetLengthAsync(Keys.Consumers(connection.Name, queue));
        return (queue, new QueueConnectionOverview(connection.Name, connection.Active,
            await unacked.ConfigureAwait(false), await consumers.ConfigureAwait(false)));
    }

    private static List<string> Sorted(RedisValue[] values) =>
        values.Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();

    private sealed record ConnectionState(string Name, bool Active, List<string> Queues);
}
