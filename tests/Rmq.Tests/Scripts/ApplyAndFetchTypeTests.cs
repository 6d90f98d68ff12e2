using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Rmq.Hosting;

namespace Rmq.Tests.Scripts;

/// <summary>
/// The consuming hot path (ApplyAndFetch) checks the type only of the keys it could write before its first command on
/// them, so a fetch with nothing to apply runs no TYPE at all. What must still hold, for every key it touches and every
/// kind of batch, in both key dialects against a real redis-server (and Garnet, whose list commands refuse a string too): a key of another type fails the round trip whole,
/// every key left as it was; a key the batch does not touch does not fail it.
/// </summary>
public sealed class ApplyAndFetchTypeTests : IAsyncLifetime
{
    private const string Connection = "types-conn";
    private RedisServer _server = null!;
    private ConnectionMultiplexer _side = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _side = await ConnectionMultiplexer.ConnectAsync(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _side.DisposeAsync();
        await _server.DisposeAsync();
    }

    public enum Batch { FetchOnly, Ack, Reject, Return, Push, DeadLetter, RetryNow, RetryLater }

    public enum Key { Ready, Unacked, Rejected, Marker, PushTarget, Scheduled, ScheduledElements, Counters }

    /// <summary>Keys the store passes only for some batches: the push target with pushes, the scheduled keys with dead letters and retries.</summary>
    private static bool Passed(Key key, Batch batch) => key switch
    {
        Key.PushTarget => batch == Batch.Push,
        Key.Scheduled or Key.ScheduledElements or Key.Counters => batch is Batch.DeadLetter or Batch.RetryNow or Batch.RetryLater,
        _ => true,
    };

    private static readonly Key[] ScheduledKeys = [Key.Scheduled, Key.ScheduledElements, Key.Counters];

    /// <summary>The keys each batch runs a command on (the push target only where pushes are applied by this script).</summary>
    private static readonly Dictionary<Batch, Key[]> Touched = new()
    {
        [Batch.FetchOnly] = [Key.Ready, Key.Unacked],
        [Batch.Ack] = [Key.Ready, Key.Unacked, Key.Marker],
        [Batch.Reject] = [Key.Ready, Key.Unacked, Key.Rejected, Key.Marker],
        [Batch.Return] = [Key.Ready, Key.Unacked, Key.Marker],
        [Batch.Push] = [Key.Ready, Key.Unacked, Key.Marker, Key.PushTarget],
        [Batch.DeadLetter] = [Key.Ready, Key.Unacked, Key.Rejected, Key.Marker, .. ScheduledKeys],
        [Batch.RetryNow] = [Key.Ready, Key.Unacked, Key.Marker, .. ScheduledKeys],
        [Batch.RetryLater] = [Key.Ready, Key.Unacked, Key.Marker, .. ScheduledKeys],
    };

    public static TheoryData<KeyDialect, Batch> Cases()
    {
        var cases = new TheoryData<KeyDialect, Batch>();
        foreach (var dialect in (KeyDialect[])[KeyDialect.Classic, KeyDialect.Cluster])
            foreach (var batch in Enum.GetValues<Batch>())
                // The cluster dialect copies pushes with a script of its own first (tested with that script), then removes them as acks.
                if (!(dialect == KeyDialect.Cluster && batch == Batch.Push)) cases.Add(dialect, batch);
        return cases;
    }

    [Theory]
    [Trait("Garnet", "core")]
    [MemberData(nameof(Cases))]
    public async Task AKeyOfAnotherType_FailsTheRoundTripWhole_OnlyWhereTheBatchTouchesIt(KeyDialect dialect, Batch batch)
    {
        var redis = new RedisConnection(Options.Create(new RmqOptions { RedisConnectionString = _server.Endpoint, KeyDialect = dialect }),
            NullLogger<RedisConnection>.Instance);
        await using var _ = redis;
        var store = new RedisQueueStore(redis, Options.Create(new RmqOptions { KeyDialect = dialect }));
        var db = _side.GetDatabase();
        foreach (var wrong in Enum.GetValues<Key>())
        {
            if (!Passed(wrong, batch)) continue;
            var queue = $"types-{Guid.NewGuid():N}";
            var target = queue + "-target";
            var keys = new Dictionary<Key, RedisKey>
            {
                [Key.Ready] = store.Keys.Ready(queue),
                [Key.Unacked] = store.Keys.Unacked(Connection, queue),
                [Key.Rejected] = store.Keys.Rejected(queue),
                [Key.Marker] = store.Keys.AppliedBatch(Connection, queue),
                [Key.PushTarget] = store.Keys.Ready(target),
                [Key.Scheduled] = store.Keys.Scheduled(queue),
                [Key.ScheduledElements] = store.Keys.ScheduledElements(queue),
                [Key.Counters] = store.Keys.Counters(queue),
            };
            await db.ListLeftPushAsync(keys[Key.Ready], ["r1", "r2"]);
            await db.ListLeftPushAsync(keys[Key.Unacked], "held");
            await db.ListLeftPushAsync(keys[Key.Rejected], "old");
            await db.StringSetAsync(keys[Key.Marker], "0");
            await db.ListLeftPushAsync(keys[Key.PushTarget], "there");
            await db.SortedSetAddAsync(keys[Key.Scheduled], "earlier", 1);
            await db.HashSetAsync(keys[Key.ScheduledElements], "earlier", "e");
            await db.HashSetAsync(keys[Key.Counters], "retried", 1);
            await db.KeyDeleteAsync(keys[wrong]);
            // The marker is a string: its wrong type is a list; every other key's is a string.
            if (wrong == Key.Marker) await db.ListLeftPushAsync(keys[wrong], "not a string");
            else await db.StringSetAsync(keys[wrong], "not a list");
            var before = await Snapshot(db, keys.Values);

            var outcomes = new OutcomeBatch();
            switch (batch)
            {
                case Batch.Ack: outcomes.Acks.Add("held"); break;
                case Batch.Reject: outcomes.Rejects.Add("held"); break;
                case Batch.Return: outcomes.Returns.Add("held"); break;
                case Batch.Push: outcomes.Pushes.Add("held"); break;
                case Batch.DeadLetter: outcomes.DeadLetters.Add(("held", "held-dead")); break;
                case Batch.RetryNow: outcomes.Retries.Add(("held", "retry-id", 0, "held-again")); break;
                case Batch.RetryLater: outcomes.Retries.Add(("held", "retry-id", 60_000, "held-again")); break;
            }
            var apply = store.ApplyAndFetchAsync(queue, Connection, batch == Batch.Push ? target : null, outcomes, batchNumber: 1, fetchMax: 10, prefetchLimit: 100);

            if (Touched[batch].Contains(wrong))
            {
                var e = await Assert.ThrowsAsync<RedisServerException>(() => apply);
                // Garnet prefixes errors raised inside a script with "ERR Lua encountered an error: ".
                Assert.Contains("WRONGTYPE", e.Message);
                Assert.Equal(before, await Snapshot(db, keys.Values));
            }
            else
            {
                var result = await apply;
                // Ready held two; a returned delivery goes back to it first, one retried at once after them. Unacked held
                // one, which an ack, a push or a retry removes.
                string[] fetched = batch switch
                {
                    Batch.Return => ["held", "r1", "r2"],
                    Batch.RetryNow => ["r1", "r2", "held-again"],
                    _ => ["r1", "r2"],
                };
                Assert.Equal(fetched, Texts(result.Fetched));
                Assert.Equal(0, result.ReadyLength);
                Assert.Equal(0, result.Missing);
                Assert.Equal(0, await db.ListLengthAsync(keys[Key.Ready]));
                Assert.Equal(batch is Batch.FetchOnly or Batch.Return or Batch.RetryNow ? 3 : 2, await db.ListLengthAsync(keys[Key.Unacked]));
                // The key of another type that this batch does not touch is as it was.
                Assert.Equal(await db.KeyDumpAsync(keys[wrong]) is { } dumped ? Convert.ToHexString(dumped) : "", Part(before, keys[wrong]));
            }
            await db.KeyDeleteAsync([.. keys.Values]);
        }
    }

    [Fact]
    [Trait("Garnet", "core")]
    public async Task AFetchThatEmptiesReady_ReportsItEmpty_AndOneThatDoesNot_ReportsWhatIsLeft()
    {
        var redis = new RedisConnection(Options.Create(new RmqOptions { RedisConnectionString = _server.Endpoint }), NullLogger<RedisConnection>.Instance);
        await using var _ = redis;
        var store = new RedisQueueStore(redis, Options.Create(new RmqOptions()));
        var queue = $"left-{Guid.NewGuid():N}";
        await _side.GetDatabase().ListLeftPushAsync(store.Keys.Ready(queue), ["a", "b", "c", "d", "e"]);

        var some = await store.ApplyAndFetchAsync(queue, Connection, null, new OutcomeBatch(), 1, fetchMax: 3, prefetchLimit: 100);
        Assert.Equal(["a", "b", "c"], Texts(some.Fetched));
        Assert.Equal(2, some.ReadyLength);
        var rest = await store.ApplyAndFetchAsync(queue, Connection, null, new OutcomeBatch(), 2, fetchMax: 3, prefetchLimit: 100);
        Assert.Equal(["d", "e"], Texts(rest.Fetched));
        Assert.Equal(0, rest.ReadyLength);
        // Room for fewer than are ready: the fetch stops at the prefetch limit and reports what is left.
        await _side.GetDatabase().ListLeftPushAsync(store.Keys.Ready(queue), ["f", "g"]);
        var limited = await store.ApplyAndFetchAsync(queue, Connection, null, new OutcomeBatch(), 3, fetchMax: 3, prefetchLimit: 6);
        Assert.Equal(["f"], Texts(limited.Fetched));
        Assert.Equal(1, limited.ReadyLength);
    }

    private static async Task<string> Snapshot(IDatabase db, IEnumerable<RedisKey> keys)
    {
        var parts = new List<string>();
        foreach (var key in keys) parts.Add($"{key}={(await db.KeyDumpAsync(key) is { } dumped ? Convert.ToHexString(dumped) : "")}");
        return string.Join("\n", parts);
    }

    private static string[] Texts(IEnumerable<byte[]> fetched) => [.. fetched.Select(System.Text.Encoding.UTF8.GetString)];

    private static string Part(string snapshot, RedisKey key) =>
        snapshot.Split('\n').Single(line => line.StartsWith($"{key}=", StringComparison.Ordinal))[($"{key}=".Length)..];
}
