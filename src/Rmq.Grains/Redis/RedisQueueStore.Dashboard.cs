using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>Which of a queue's lists the dashboard browses or changes one element of.</summary>
public enum BrowsedList
{
    /// <summary><c>rmq::queue::[q]::ready</c>.</summary>
    Ready,

    /// <summary><c>rmq::queue::[q]::rejected</c>.</summary>
    Rejected,
}

/// <summary>A page of a list as <c>LRANGE</c> read it.</summary>
/// <param name="Total"><c>LLEN</c> of the list, read in the same pipeline (a snapshot, not atomic with the range).</param>
/// <param name="Elements">The raw elements of the page, in the order asked for.</param>
public sealed record ListPage(long Total, IReadOnlyList<byte[]> Elements);

/// <summary>One registered connection that names a queue, as the dashboard shows it.</summary>
/// <param name="Name">The rmq connection name.</param>
/// <param name="Silo">The silo that owns it (<c>rmq-connection-silos</c>), or null for Go rmq's connections.</param>
/// <param name="HeartbeatTtl">The heartbeat key's TTL; null when the key is missing or has no expiry (dead, as Go rmq decides).</param>
/// <param name="UnackedCount"><c>LLEN</c> of its unacked list for the queue.</param>
/// <param name="Consumers">The names in its consumers set for the queue, sorted.</param>
public sealed record QueueConnectionDetail(string Name, string? Silo, TimeSpan? HeartbeatTtl, long UnackedCount, IReadOnlyList<string> Consumers)
{
    /// <summary>Go rmq's rule: alive while the heartbeat TTL is above zero.</summary>
    public bool Active => HeartbeatTtl is { } ttl && ttl > TimeSpan.Zero;
}

// The dashboard's reads and one-element changes. Every command names its keys through RedisKeys.
public sealed partial class RedisQueueStore
{
    /// <summary>The most elements one browse returns.</summary>
    public const int MaxBrowse = 500;

    /// <summary>The key of <paramref name="list"/> for <paramref name="queue"/>.</summary>
    public RedisKey ListKey(string queue, BrowsedList list) => list == BrowsedList.Ready ? Keys.Ready(queue) : Keys.Rejected(queue);

    /// <summary>
    /// <c>LLEN</c> and <c>LRANGE</c> of a page of ready or rejected, pipelined. Both lists grow at the
    /// left (<c>LPUSH</c>) and are consumed or returned from the right, so the newest element is index 0
    /// and the oldest index −1: newest first reads <c>LRANGE offset offset+count−1</c>; oldest first reads
    /// <c>LRANGE −(offset+count) −(offset+1)</c> and reverses it.
    /// </summary>
    public Task<ListPage> BrowseAsync(string queue, BrowsedList list, long offset, int count, bool newestFirst) =>
        Run("browse", async db =>
        {
            var key = ListKey(queue, list);
            var length = db.ListLengthAsync(key);
            var range = newestFirst
                ? db.ListRangeAsync(key, offset, offset + count - 1)
                : db.ListRangeAsync(key, -(offset + count), -(offset + 1));
            var elements = (await range.ConfigureAwait(false)).Select(v => (byte[])v!).ToList();
            if (!newestFirst) elements.Reverse();
            return new ListPage(await length.ConfigureAwait(false), elements);
        });

    /// <summary>
    /// <c>LREM list -1 element</c>: removes one copy of exactly this element, the oldest (copies are
    /// indistinguishable). Returns false when it was not there any more (consumed, moved or removed meanwhile).
    /// </summary>
    public Task<bool> DeleteOneAsync(string queue, BrowsedList list, byte[] element) =>
        Run("LREM one", async db => await db.ListRemoveAsync(ListKey(queue, list), element, -1).ConfigureAwait(false) == 1);

    /// <summary>
    /// Moves exactly this rejected element to the back of ready (oldest copy, as <see cref="ReturnRejectedAsync"/>
    /// would), without Rmq's retry headers, in one script (<see cref="LuaScripts.ReturnRejected"/>, both keys
    /// declared): it cannot be lost or doubled if the process dies, and is moved only when still in rejected.
    /// Returns false when it was no longer there.
    /// </summary>
    public Task<bool> RequeueRejectedAsync(string queue, byte[] element) =>
        Run("requeue rejected", async db =>
        {
            RedisValue[] args = WithoutRetryHeaders(element) is { } replacement ? ["r", element, replacement] : ["k", element];
            var moved = (long)await db.ScriptEvaluateAsync(redis.Script(LuaScripts.ReturnRejected),
                [Keys.Rejected(queue), Keys.Ready(queue)], args).ConfigureAwait(false);
            return moved == 1;
        });

    /// <summary>
    /// Every registered connection whose queues set names <paramref name="queue"/> (Go rmq's too), with its
    /// owner silo, heartbeat TTL, unacked count and consumer names; two pipelined round trips after the
    /// listing.
    /// </summary>
    public Task<List<QueueConnectionDetail>> ConnectionDetailsAsync(string queue) =>
        Run("connection details", async db =>
        {
            var ownersTask = db.HashGetAllAsync(RedisKeys.ConnectionSilos);
            var connections = (await db.SetMembersAsync(RedisKeys.Connections).ConfigureAwait(false)).Select(c => (string)c!).ToList();
            var consumes = await Task.WhenAll(connections.Select(c => db.SetContainsAsync(RedisKeys.ConnectionQueues(c), queue))).ConfigureAwait(false);
            var owners = (await ownersTask.ConfigureAwait(false)).ToDictionary(e => (string)e.Name!, e => (string?)e.Value);
            var reads = connections.Where((_, i) => consumes[i])
                .Select(c => (Name: c, Ttl: db.KeyTimeToLiveAsync(RedisKeys.Heartbeat(c)), Unacked: db.ListLengthAsync(Keys.Unacked(c, queue)),
                    Consumers: db.SetMembersAsync(Keys.Consumers(c, queue))))
                .ToList();
            var details = new List<QueueConnectionDetail>(reads.Count);
            foreach (var r in reads)
            {
                var consumers = (await r.Consumers.ConfigureAwait(false)).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();
                details.Add(new QueueConnectionDetail(r.Name, owners.GetValueOrDefault(r.Name), await r.Ttl.ConfigureAwait(false),
                    await r.Unacked.ConfigureAwait(false), consumers));
            }
            return details.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        });
}
