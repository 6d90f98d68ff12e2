using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>
/// The queue's throughput in Redis, for every silo's dashboard: the acks and pushes Redis confirmed are added to
/// the queue's counters once per heartbeat tick, off the consuming hot path (one <c>HINCRBY</c> a second at most).
/// </summary>
internal sealed partial class ConsumingEngine
{
    private long _unflushedAcked;
    private long _unflushedPushed;

    private void CountThroughput(OutcomeBatch batch)
    {
        Interlocked.Add(ref _unflushedAcked, batch.Acks.Count);
        Interlocked.Add(ref _unflushedPushed, batch.Pushes.Count);
    }

    private async Task FlushThroughputAsync()
    {
        var acked = Interlocked.Exchange(ref _unflushedAcked, 0);
        var pushed = Interlocked.Exchange(ref _unflushedPushed, 0);
        if (acked == 0 && pushed == 0) return;
        try
        {
            await Store.AddThroughputAsync(Queue, acked, pushed);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            // Redis failing is the heartbeat's to report; the counts wait for the next tick.
            Interlocked.Add(ref _unflushedAcked, acked);
            Interlocked.Add(ref _unflushedPushed, pushed);
        }
    }
}
