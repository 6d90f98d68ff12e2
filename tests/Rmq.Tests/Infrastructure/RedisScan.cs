using System.Runtime.CompilerServices;
using System.Text;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// Finding keys by pattern on a single redis-server and on a Redis Cluster alike: SCAN reaches only the node it is
/// sent to, and each cluster master holds only its own slots, so every primary is scanned.
/// </summary>
public static class RedisScan
{
    /// <summary>Every key matching the glob <paramref name="pattern"/>, from every primary.</summary>
    public static async IAsyncEnumerable<RedisKey> KeysAsync(this IConnectionMultiplexer multiplexer, RedisValue pattern,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        // Replicas hold copies of their primary's keys: scanning them too would count each key twice.
        foreach (var server in multiplexer.GetServers().Where(s => !s.IsReplica))
            await foreach (var key in server.KeysAsync(pattern: pattern).WithCancellation(cancellation))
                yield return key;
    }

    /// <summary>The names of every unacked list of <paramref name="queue"/>, whichever connection (Rmq's or Go rmq's) owns it.</summary>
    public static async Task<List<RedisKey>> UnackedListsAsync(this IConnectionMultiplexer multiplexer, RedisKeys keys, string queue)
    {
        // The pattern is RedisKeys' own unacked key with a wildcard for the connection, so it follows the
        // dialect's tag: [q] (which must be escaped in a glob) or {q}. "{}" cannot occur elsewhere in the key: queue
        // names hold no braces and are never empty.
        const string marker = "{}";
        var pattern = GlobEscape((string)keys.Unacked(marker, queue)!).Replace(marker, "*", StringComparison.Ordinal);
        var lists = new List<RedisKey>();
        await foreach (var key in multiplexer.KeysAsync(pattern)) lists.Add(key);
        return lists;
    }

    /// <summary>
    /// Ready, unacked (summed over every connection's list) and rejected of <paramref name="queue"/> as one snapshot: the
    /// lengths are read in one MULTI/EXEC, so a delivery that moves between lists while the queue consumes is counted
    /// once (read one after another, a move from unacked to rejected between two reads counted it twice). The queue's
    /// keys share its hash slot in the cluster dialect, as the outcome script needs them to.
    /// </summary>
    /// <remarks>
    /// Which unacked lists to read is known before the snapshot, and SCAN finds only lists that exist: an empty one
    /// (Redis deletes it) that a fetch fills before the EXEC would be missed, its deliveries counted nowhere (seen once:
    /// (0, 0, 1) while 5 were in unacked, after a pause had emptied the list). So every registered connection's list is
    /// read too, whether it exists or not — a connection (Rmq's or Go rmq's) registers before it fetches — and a
    /// connection registered meanwhile means reading again. SCAN adds the lists of connections no longer registered,
    /// which only a cleaner empties.
    /// </remarks>
    public static async Task<(long Ready, long Unacked, long Rejected)> CountsAsync(this IConnectionMultiplexer multiplexer, RedisKeys keys, string queue)
    {
        var db = multiplexer.GetDatabase();
        for (var attempt = 1; ; attempt++)
        {
            var connections = (await db.SetMembersAsync(RedisKeys.Connections)).Select(c => (string)c!).ToHashSet();
            var lists = (await multiplexer.UnackedListsAsync(keys, queue)).ToHashSet();
            foreach (var connection in connections) lists.Add(keys.Unacked(connection, queue));
            var snapshot = db.CreateTransaction();
            var ready = snapshot.ListLengthAsync(keys.Ready(queue));
            var unacked = lists.Select(list => snapshot.ListLengthAsync(list)).ToList();
            var rejected = snapshot.ListLengthAsync(keys.Rejected(queue));
            if (!await snapshot.ExecuteAsync()) throw new InvalidOperationException($"the MULTI/EXEC that reads the lists of {queue} did not run");
            if ((await db.SetMembersAsync(RedisKeys.Connections)).Any(c => !connections.Contains((string)c!)))
            {
                if (attempt == 20) throw new InvalidOperationException($"connections kept registering while the lists of {queue} were read (20 tries)");
                continue;
            }
            long unackedTotal = 0;
            foreach (var length in unacked) unackedTotal += await length;
            return (await ready, unackedTotal, await rejected);
        }
    }

    /// <summary>The sum of LLEN over every unacked list of <paramref name="queue"/> in Redis.</summary>
    public static async Task<long> UnackedTotalAsync(this IConnectionMultiplexer multiplexer, RedisKeys keys, string queue)
    {
        var db = multiplexer.GetDatabase();
        long total = 0;
        foreach (var list in await multiplexer.UnackedListsAsync(keys, queue)) total += await db.ListLengthAsync(list);
        return total;
    }

    /// <summary>Makes every character of <paramref name="literal"/> match only itself in a Redis glob.</summary>
    public static string GlobEscape(string literal)
    {
        var escaped = new StringBuilder(literal.Length);
        foreach (var c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '\\' or '^') escaped.Append('\\');
            escaped.Append(c);
        }
        return escaped.ToString();
    }
}
