using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// Throughput counters every silo adds to, in the queue's <see cref="RedisKeys.Counters"/> hash: <c>acked</c> and
/// <c>pushed</c>, the outcomes that take a delivery out of the queue. With the lists' lengths they give the rates of
/// every producer (Go rmq's and the direct publisher's included) without counting publishes.
/// </summary>
public sealed partial class RedisQueueStore
{
    private const string AckedCounter = "acked";
    private const string PushedCounter = "pushed";

    /// <summary>Adds acks and pushes applied since the last call (one round trip; each field only when non-zero).</summary>
    public Task AddThroughputAsync(string queue, long acked, long pushed) => Run("HINCRBY counters", db =>
    {
        var key = Keys.Counters(queue);
        var batch = db.CreateBatch();
        var writes = new List<Task>(2);
        if (acked > 0) writes.Add(batch.HashIncrementAsync(key, AckedCounter, acked));
        if (pushed > 0) writes.Add(batch.HashIncrementAsync(key, PushedCounter, pushed));
        batch.Execute();
        return Task.WhenAll(writes);
    });

    /// <summary>Each queue's lifetime <c>acked</c> and <c>pushed</c> counts, pipelined; 0 where none were counted.</summary>
    public Task<IReadOnlyDictionary<string, (long Acked, long Pushed)>> ReadThroughputAsync(IReadOnlyList<string> queues) =>
        Run<IReadOnlyDictionary<string, (long Acked, long Pushed)>>("HMGET counters", async db =>
        {
            var reads = queues.Select(q => db.HashGetAsync(Keys.Counters(q), [AckedCounter, PushedCounter])).ToList();
            var result = new Dictionary<string, (long, long)>(queues.Count, StringComparer.Ordinal);
            for (var i = 0; i < queues.Count; i++)
            {
                var values = await reads[i].ConfigureAwait(false);
                result[queues[i]] = (values[0].TryParse(out long a) ? a : 0, values[1].TryParse(out long p) ? p : 0);
            }
            return result;
        });
}
