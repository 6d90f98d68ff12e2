using System.Globalization;
using Microsoft.Extensions.Options;
using Rmq.Hosting;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// Every Redis command Rmq's queue grains issue. Grains hold orchestration only; this type knows the
/// keys (<see cref="RedisKeys"/>), the scripts (<see cref="LuaScripts"/>) and Go rmq's protocol.
/// Connection failures surface as <see cref="RedisUnavailableException"/>.
/// </summary>
public sealed partial class RedisQueueStore(RedisConnection redis, IOptions<RmqOptions> options)
{
    private const string PrefetchField = "prefetch";
    private const string PollField = "poll-ms";
    private const string PushField = "push";
    private const string PausedField = "paused";
    private const int MoveChunk = 1000;

    /// <summary>The key builder, in the configured dialect.</summary>
    public RedisKeys Keys { get; } = new(options.Value.KeyDialect);

    private bool PushAtomically => Keys.Dialect == KeyDialect.Classic;

    /// <summary><c>LPUSH ready</c> of one element; also lists the queue in <c>rmq::queues</c> when asked.</summary>
    public async Task PublishAsync(string queue, RedisValue element, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try { await PublishCommands.PushAsync(db, Keys, queue, element, listQueue).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable("LPUSH", e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full("LPUSH", e); }
    }

    /// <summary>One <c>LPUSH ready e1 … en</c>: consumed in argument order.</summary>
    public async Task PublishAsync(string queue, RedisValue[] elements, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try { await PublishCommands.PushAsync(db, Keys, queue, elements, listQueue).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable("LPUSH", e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full("LPUSH", e); }
    }

    /// <summary>
    /// The unique publish (<see cref="PublishCommands.PushUniqueScript"/>): <c>SET dedup NX PX window</c>
    /// and <c>LPUSH ready</c> in one script; returns whether it published.
    /// </summary>
    public async Task<bool> PublishUniqueAsync(string queue, string dedupKey, TimeSpan window, RedisValue element, bool listQueue)
    {
        var db = await Db().ConfigureAwait(false);
        try { return await PublishCommands.PushUniqueAsync(db, Keys, queue, dedupKey, window, element, listQueue).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(PublishCommands.PushUniqueOperation, e); }
        catch (Exception e) when (PublishCommands.IsRedisFull(e)) { throw redis.Full(PublishCommands.PushUniqueOperation, e); }
    }

    /// <summary>
    /// Subscribes to the queue's wake channel (<see cref="RedisKeys.Wake"/>): a message arrives each time
    /// a publisher that bypasses the queue grain has pushed to ready. StackExchange.Redis subscribes
    /// again by itself after a reconnect. Unsubscribe with <see cref="ChannelMessageQueue.UnsubscribeAsync"/>.
    /// </summary>
    public async Task<ChannelMessageQueue> SubscribeWakesAsync(string queue)
    {
        var subscriber = await redis.GetSubscriberAsync().ConfigureAwait(false);
        try { return await subscriber.SubscribeAsync(Keys.Wake(queue)).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable("SUBSCRIBE wake", e); }
    }

    /// <summary><c>SADD rmq::queues queue</c>, as Go rmq's OpenQueue.</summary>
    public Task ListQueueAsync(string queue) =>
        Run("SADD rmq::queues", db => AddToSetAsync(db, RedisKeys.Queues, queue));

    /// <summary>
    /// Registers a consuming connection as Go rmq does: heartbeat first, then <c>rmq::connections</c>
    /// (so a cleaner never sees a registered connection without a heartbeat), then the queue in the
    /// connection's queues set (so a cleaner can find the unacked list), then the consumer names.
    /// </summary>
    public Task RegisterConnectionAsync(string connection, string queue, string silo, TimeSpan ttl, IReadOnlyCollection<string> consumers) =>
        Run("register connection", async db =>
        {
            // The owner first: a connection is never registered without it, so a dead silo's
            // connections can always be found.
            // Each write is an allow-oom script: a queue must be able to start consuming a full Redis.
            await SetHashFieldsAsync(db, RedisKeys.ConnectionSilos, new HashEntry(connection, silo)).ConfigureAwait(false);
            await SetWithTtlAsync(db, RedisKeys.Heartbeat(connection), "1", ttl).ConfigureAwait(false);
            await AddToSetAsync(db, RedisKeys.Connections, connection).ConfigureAwait(false);
            var queues = AddToSetAsync(db, RedisKeys.ConnectionQueues(connection), queue);
            var listed = AddToSetAsync(db, RedisKeys.Queues, queue);
            if (consumers.Count > 0)
                await AddToSetAsync(db, Keys.Consumers(connection, queue), consumers.Select(c => (RedisValue)c).ToArray()).ConfigureAwait(false);
            await queues.ConfigureAwait(false);
            await listed.ConfigureAwait(false);
        });

    /// <summary>
    /// <c>SET heartbeat 1 EX ttl</c>, pipelined with a check that the connection is still registered.
    /// Returns false when a cleaner has unregistered it (the grain was paused past its TTL, or its silo
    /// was declared dead): then the heartbeat just written is deleted again and the caller must stop
    /// using this connection's unacked list (RMQ-SEMANTICS §12.2). Works while Redis is over maxmemory
    /// (an allow-oom script): a refused heartbeat would make a consuming connection look dead.
    /// </summary>
    public Task<bool> HeartbeatAsync(string connection, TimeSpan ttl) =>
        Run("SET heartbeat", async db =>
        {
            var registered = db.SetContainsAsync(RedisKeys.Connections, connection);
            await SetWithTtlAsync(db, RedisKeys.Heartbeat(connection), "1", ttl).ConfigureAwait(false);
            if (await registered.ConfigureAwait(false)) return true;
            await db.KeyDeleteAsync(RedisKeys.Heartbeat(connection)).ConfigureAwait(false);
            return false;
        });

    /// <summary><c>SADD consumers name</c> (informational; Go rmq's stats count it).</summary>
    public Task AddConsumerNameAsync(string connection, string queue, string name) =>
        Run("SADD consumers", db => AddToSetAsync(db, Keys.Consumers(connection, queue), name));

    /// <summary>
    /// Closes a connection whose unacked list is empty: deletes its consumers set, queues set and
    /// heartbeat and unregisters it. When unacked still holds deliveries only the heartbeat is deleted,
    /// so a cleaner sees the connection as dead and returns them; returns false then.
    /// </summary>
    public Task<bool> CloseConnectionAsync(string connection, string queue) =>
        Run("close connection", async db =>
        {
            if (await db.ListLengthAsync(Keys.Unacked(connection, queue)).ConfigureAwait(false) > 0)
            {
                await db.KeyDeleteAsync(RedisKeys.Heartbeat(connection)).ConfigureAwait(false);
                return false;
            }
            // Unregister before deleting the heartbeat: a cleaner in between finds nothing to do.
            await db.SetRemoveAsync(RedisKeys.Connections, connection).ConfigureAwait(false);
            var consumers = db.KeyDeleteAsync([Keys.Consumers(connection, queue), Keys.AppliedBatch(connection, queue)]);
            var queues = db.KeyDeleteAsync(RedisKeys.ConnectionQueues(connection));
            var owner = db.HashDeleteAsync(RedisKeys.ConnectionSilos, connection);
            await db.KeyDeleteAsync(RedisKeys.Heartbeat(connection)).ConfigureAwait(false);
            await consumers.ConfigureAwait(false);
            await queues.ConfigureAwait(false);
            await owner.ConfigureAwait(false);
            return true;
        });

    /// <summary>How long the applied-batch markers live: far longer than any retry of one batch.</summary>
    private const int MarkerTtlSeconds = 7 * 24 * 3600;

    /// <summary>
    /// The hot path: applies <paramref name="batch"/> (at most once per <paramref name="batchNumber"/>,
    /// also when a lost reply makes the caller retry it) and fetches up to <paramref name="fetchMax"/>
    /// elements into the connection's unacked list, never letting it exceed <paramref name="prefetchLimit"/>.
    /// Retry a failed call with the same batch and number; a new batch needs a new, larger number.
    /// </summary>
    internal async Task<FetchResult> ApplyAndFetchAsync(string queue, string connection, string? pushQueue,
        OutcomeBatch batch, long batchNumber, int fetchMax, int prefetchLimit, bool notifyDeadLetters = false)
    {
        var db = await Db().ConfigureAwait(false);
        var pushes = batch.Pushes;
        var acks = batch.Acks;
        try
        {
            if (pushes.Count > 0 && (pushQueue is null || !PushAtomically))
            {
                if (pushQueue is null) throw new InvalidOperationException("pushes recorded without a push queue");
                // Cluster dialect: the push target lives in another hash slot, so no script may touch
                // both. Copy first (once per batch number), then remove as acks: if we die in between
                // the delivery is in both lists — delivered twice, never lost.
                var pushArgs = new RedisValue[2 + pushes.Count];
                pushArgs[0] = batchNumber;
                pushArgs[1] = MarkerTtlSeconds;
                pushes.CopyTo(pushArgs, 2);
                await db.ScriptEvaluateAsync(redis.Script(LuaScripts.PushOnce), [Keys.Ready(pushQueue), Keys.PushedBatch(pushQueue, connection)], pushArgs).ConfigureAwait(false);
                acks = [.. acks, .. pushes];
                pushes = [];
            }
            var args = new RedisValue[10 + acks.Count + batch.Rejects.Count + 2 * batch.DeadLetters.Count + 4 * batch.Retries.Count
                + pushes.Count + batch.Returns.Count];
            args[0] = batchNumber;
            args[1] = MarkerTtlSeconds;
            args[2] = acks.Count;
            args[3] = batch.Rejects.Count;
            args[4] = batch.DeadLetters.Count;
            args[5] = pushes.Count;
            args[6] = batch.Returns.Count;
            args[7] = fetchMax;
            args[8] = prefetchLimit;
            args[9] = batch.Retries.Count;
            var i = 10;
            foreach (var v in acks) args[i++] = v;
            foreach (var v in batch.Rejects) args[i++] = v;
            foreach (var (raw, replacement) in batch.DeadLetters)
            {
                args[i++] = raw;
                args[i++] = replacement;
            }
            foreach (var (raw, id, delayMs, replacement) in batch.Retries)
            {
                args[i++] = raw;
                args[i++] = id;
                args[i++] = delayMs;
                args[i++] = replacement;
            }
            foreach (var v in pushes) args[i++] = v;
            foreach (var v in batch.Returns) args[i++] = v;

            // The scheduled keys and the counters only when needed: each key passed costs the script a TYPE.
            var keys = new List<RedisKey>(8) { Keys.Ready(queue), Keys.Unacked(connection, queue), Keys.Rejected(queue), Keys.AppliedBatch(connection, queue) };
            if (pushes.Count > 0) keys.Add(Keys.Ready(pushQueue!));
            if (batch.DeadLetters.Count + batch.Retries.Count > 0)
            {
                keys.Add(Keys.Scheduled(queue));
                keys.Add(Keys.ScheduledElements(queue));
                keys.Add(Keys.Counters(queue));
                if (notifyDeadLetters && batch.DeadLetters.Count > 0) keys.Add(Keys.DeadLetterNotices(queue));
            }
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(redis.Script(LuaScripts.ApplyAndFetch), [.. keys], args).ConfigureAwait(false))!;
            var fetched = new List<byte[]>(result.Length - 4);
            for (var j = 4; j < result.Length; j++) fetched.Add((byte[])result[j]!);
            return new FetchResult(fetched, (long)result[0], (long)result[1], (long)result[2], (long)result[3] == 1);
        }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable("apply outcomes and fetch", e); }
    }

    /// <summary>Deletes ready; returns how many it held.</summary>
    public Task<long> PurgeReadyAsync(string queue) => PurgeAsync(Keys.Ready(queue));

    /// <summary>Deletes rejected; returns how many it held.</summary>
    public Task<long> PurgeRejectedAsync(string queue) => PurgeAsync(Keys.Rejected(queue));

    private Task<long> PurgeAsync(RedisKey key) =>
        Run("purge", async db => (long)await db.ScriptEvaluateAsync(redis.Script(LuaScripts.Purge), [key]).ConfigureAwait(false));

    /// <summary>A connection's unacked list → back of ready, earliest fetched first.</summary>
    public Task<long> ReturnUnackedAsync(string connection, string queue, long max) =>
        MoveAsync(Keys.Unacked(connection, queue), Keys.Ready(queue), max);

    /// <summary>
    /// Moves up to <paramref name="max"/> deliveries from the unacked lists of this queue's dead
    /// connections (heartbeat TTL ≤ 0, as Go rmq's cleaner decides) to the back of ready. Live
    /// connections are never touched: their consumers hold those deliveries.
    /// </summary>
    public Task<long> ReturnUnackedOfDeadConnectionsAsync(string queue, long max) =>
        Run("return unacked", async db =>
        {
            long moved = 0;
            foreach (var connection in await db.SetMembersAsync(RedisKeys.Connections).ConfigureAwait(false))
            {
                if (moved >= max) break;
                string name = connection!;
                if (!await db.SetContainsAsync(RedisKeys.ConnectionQueues(name), queue).ConfigureAwait(false)) continue;
                if (await db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(name)).ConfigureAwait(false) is { } ttl && ttl > TimeSpan.Zero) continue;
                moved += await MoveCoreAsync(db, Keys.Unacked(name, queue), Keys.Ready(queue), max - moved).ConfigureAwait(false);
            }
            return moved;
        });

    private Task<long> MoveAsync(RedisKey from, RedisKey to, long max) =>
        Run("move", db => MoveCoreAsync(db, from, to, max));

    private async Task<long> MoveCoreAsync(IDatabase db, RedisKey from, RedisKey to, long max)
    {
        long moved = 0;
        while (moved < max)
        {
            var chunk = Math.Min(MoveChunk, max - moved);
            var n = (long)await db.ScriptEvaluateAsync(redis.Script(LuaScripts.Move), [from, to], [chunk]).ConfigureAwait(false);
            moved += n;
            if (n < chunk) break;
        }
        return moved;
    }

    /// <summary>Pops up to <paramref name="count"/> elements from the front of ready.</summary>
    public Task<List<byte[]>> DrainAsync(string queue, long count) =>
        Run("drain", async db =>
        {
            var all = new List<byte[]>();
            while (all.Count < count)
            {
                var chunk = Math.Min(MoveChunk, count - all.Count);
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(redis.Script(LuaScripts.Drain), [Keys.Ready(queue)], [chunk]).ConfigureAwait(false))!;
                all.AddRange(result.Select(r => (byte[])r!));
                if (result.Length < chunk) break;
            }
            return all;
        });

    /// <summary><c>LREM ready count payload</c>, and on rejected when asked; returns the total removed.</summary>
    public Task<long> RemoveAsync(string queue, RedisValue element, long count, bool fromRejected) =>
        Run("LREM", async db =>
        {
            var rejected = fromRejected ? db.ListRemoveAsync(Keys.Rejected(queue), element, count) : Task.FromResult(0L);
            var ready = await db.ListRemoveAsync(Keys.Ready(queue), element, count).ConfigureAwait(false);
            return ready + await rejected.ConfigureAwait(false);
        });

    /// <summary><c>SREM rmq::queues queue</c>.</summary>
    public Task UnlistQueueAsync(string queue) =>
        Run("SREM rmq::queues", db => db.SetRemoveAsync(RedisKeys.Queues, queue));

    /// <summary>Go rmq's stats for one queue, in three pipelined round trips.</summary>
    public Task<QueueStats> GetStatsAsync(string queue) =>
        Run("stats", async db =>
        {
            var readyTask = db.ListLengthAsync(Keys.Ready(queue));
            var rejectedTask = db.ListLengthAsync(Keys.Rejected(queue));
            var scheduledTask = db.SortedSetLengthAsync(Keys.Scheduled(queue));
            var countersTask = ReadCountersAsync(db, Keys, queue);
            var recurringTask = db.HashLengthAsync(Keys.Recurring(queue));
            var connections = await db.SetMembersAsync(RedisKeys.Connections).ConfigureAwait(false);
            var consumes = await Task.WhenAll(connections
                .Select(c => db.SetContainsAsync(RedisKeys.ConnectionQueues(c!), queue))).ConfigureAwait(false);
            var counts = connections.Where((_, i) => consumes[i]).Select(c => (string)c!)
                .Select(c => (Unacked: db.ListLengthAsync(Keys.Unacked(c, queue)), Consumers: db.SetLengthAsync(Keys.Consumers(c, queue))))
                .ToList();
            long unacked = 0, consumers = 0;
            foreach (var (u, n) in counts)
            {
                unacked += await u.ConfigureAwait(false);
                consumers += await n.ConfigureAwait(false);
            }
            var (retried, deadLettered) = await countersTask.ConfigureAwait(false);
            return new QueueStats(await readyTask.ConfigureAwait(false), await rejectedTask.ConfigureAwait(false),
                unacked, consumers, counts.Count, ScheduledCount: await scheduledTask.ConfigureAwait(false),
                RetriedCount: retried, DeadLetteredCount: deadLettered,
                RecurringCount: await recurringTask.ConfigureAwait(false));
        });

    private ValueTask<IDatabase> Db() => redis.GetDatabaseAsync();

    private async Task Run(string operation, Func<IDatabase, Task> action)
    {
        var db = await Db().ConfigureAwait(false);
        try { await action(db).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(operation, e); }
    }

    private async Task<T> Run<T>(string operation, Func<IDatabase, Task<T>> action)
    {
        var db = await Db().ConfigureAwait(false);
        try { return await action(db).ConfigureAwait(false); }
        catch (Exception e) when (RedisConnection.IsUnavailable(e)) { throw redis.Unavailable(operation, e); }
    }
}
