using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The cleaner's commands: Go rmq's algorithm (RMQ-SEMANTICS §6), one connection at a time.</summary>
public sealed partial class RedisQueueStore
{
    /// <summary><c>SMEMBERS rmq::connections</c>.</summary>
    public Task<string[]> ConnectionsAsync() =>
        Run("SMEMBERS rmq::connections", async db =>
            (await db.SetMembersAsync(RedisKeys.Connections).ConfigureAwait(false)).Select(v => (string)v!).ToArray());

    /// <summary>Connection → owning silo, for Rmq's connections.</summary>
    public Task<Dictionary<string, string>> ConnectionSilosAsync() =>
        Run("HGETALL connection silos", async db =>
            (await db.HashGetAllAsync(RedisKeys.ConnectionSilos).ConfigureAwait(false))
                .ToDictionary(e => (string)e.Name!, e => (string)e.Value!));

    /// <summary>
    /// Go rmq's liveness rule: alive while the heartbeat key has a positive TTL. A missing key and a key
    /// without expiry both count as dead.
    /// </summary>
    public Task<bool> IsAliveAsync(string connection) =>
        Run("TTL heartbeat", async db =>
            await db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(connection)).ConfigureAwait(false) is { } ttl && ttl > TimeSpan.Zero);

    /// <summary>
    /// Cleans one dead connection: for each queue it consumed, its unacked list goes back to the back of
    /// ready (earliest fetched first) and its consumers set is deleted; then it is unregistered.
    /// Returns the deliveries returned per queue. Safe beside other cleaners (Go rmq's included): each
    /// element moves with one atomic RPOPLPUSH, and removals that find nothing are not errors.
    /// </summary>
    public Task<List<(string Queue, long Returned)>> CleanConnectionAsync(string connection) =>
        Run("clean connection", async db =>
        {
            var result = new List<(string, long)>();
            foreach (var member in await db.SetMembersAsync(RedisKeys.ConnectionQueues(connection)).ConfigureAwait(false))
            {
                string queue = member!;
                // As Go rmq: the queue is listed again, so it shows in stats.
                // (An allow-oom script, as the moves: the cleaner must return deliveries from a full Redis.)
                await AddToSetAsync(db, RedisKeys.Queues, queue).ConfigureAwait(false);
                // Checkpoint: each element is in unacked or in ready at every moment. The list empties
                // itself (Redis deletes empty lists), so nothing pushed meanwhile is deleted blindly.
                var returned = await MoveCoreAsync(db, Keys.Unacked(connection, queue), Keys.Ready(queue), long.MaxValue).ConfigureAwait(false);
                await db.KeyDeleteAsync([Keys.Consumers(connection, queue), Keys.AppliedBatch(connection, queue)]).ConfigureAwait(false);
                await db.SetRemoveAsync(RedisKeys.ConnectionQueues(connection), queue).ConfigureAwait(false);
                result.Add((queue, returned));
            }
            await db.SetRemoveAsync(RedisKeys.Connections, connection).ConfigureAwait(false);
            await db.KeyDeleteAsync(RedisKeys.ConnectionQueues(connection)).ConfigureAwait(false);
            await db.HashDeleteAsync(RedisKeys.ConnectionSilos, connection).ConfigureAwait(false);
            return result;
        });

    /// <summary>Forgets owner records of connections that are no longer registered.</summary>
    public Task ForgetOwnersAsync(IReadOnlyCollection<string> connections) =>
        connections.Count == 0
            ? Task.CompletedTask
            : Run("HDEL connection silos", db => db.HashDeleteAsync(RedisKeys.ConnectionSilos, connections.Select(c => (RedisValue)c).ToArray()));

    /// <summary>Queues configured as consuming (Rmq only).</summary>
    public Task<string[]> ConsumingQueuesAsync() =>
        Run("SMEMBERS consuming queues", async db =>
            (await db.SetMembersAsync(RedisKeys.ConsumingQueues).ConfigureAwait(false)).Select(v => (string)v!).ToArray());

    /// <summary>Every element of a connection's unacked list (to reconcile after a lost reply).</summary>
    public Task<RedisValue[]> UnackedAsync(string connection, string queue) =>
        Run("LRANGE unacked", db => db.ListRangeAsync(Keys.Unacked(connection, queue)));

    /// <summary>
    /// Every unacked list in the database, as (connection, queue), found with SCAN on every primary.
    /// Lists of the other key dialect are not returned.
    /// </summary>
    public Task<List<(string Connection, string Queue)>> UnackedListsAsync() =>
        Run("SCAN unacked lists", async _ =>
        {
            var found = new List<(string, string)>();
            foreach (var server in await redis.GetPrimariesAsync().ConfigureAwait(false))
                await foreach (var key in server.KeysAsync(redis.Database, RedisKeys.AnyUnackedPattern, pageSize: 1000).ConfigureAwait(false))
                    if (Keys.TryParseUnacked(key!, out var connection, out var queue)) found.Add((connection, queue));
            return found;
        });

    /// <summary>
    /// Returns an orphaned unacked list (its connection is no longer registered) to the back of ready
    /// and deletes the connection's marker for the queue. Returns how many went back.
    /// </summary>
    public Task<long> ReturnOrphanAsync(string connection, string queue) =>
        Run("return orphan", async db =>
        {
            // Checkpoint: each element moves with one atomic RPOPLPUSH; a second sweeper finds fewer, never a copy.
            var returned = await MoveCoreAsync(db, Keys.Unacked(connection, queue), Keys.Ready(queue), long.MaxValue).ConfigureAwait(false);
            await db.KeyDeleteAsync([Keys.AppliedBatch(connection, queue), Keys.Consumers(connection, queue)]).ConfigureAwait(false);
            await db.SetRemoveAsync(RedisKeys.ConnectionQueues(connection), queue).ConfigureAwait(false);
            return returned;
        });
}
