using System.Threading.Channels;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Bench.Baseline;

/// <summary>
/// Go rmq v5's queue algorithm done literally with StackExchange.Redis, in Go rmq's key layout, as the
/// baseline Rmq is measured against:
/// <list type="bullet">
/// <item>Publish is one <c>LPUSH ready</c> (of one payload, or of all the payloads of the call).</item>
/// <item>One fetch loop per queue (<c>consume</c>/<c>consumeBatch</c>): <c>LLEN unacked</c>, then up to
/// prefetchLimit − unacked sequential <c>RPOPLPUSH ready unacked</c>, each delivery written to a channel
/// of capacity prefetchLimit that every consumer reads; it sleeps pollDuration when it is at the
/// prefetch limit or finds ready empty.</item>
/// <item>Each consumer is a loop on that channel; its ack is <c>LREM unacked 1 payload</c> (from the
/// newest end). A batch consumer waits for a first delivery, fills its batch until batchSize or the
/// timeout, and acks the deliveries one after the other (Go's <c>Deliveries.Ack</c>).</item>
/// </list>
/// Go rmq's connection bookkeeping (heartbeat every second, connection sets) is outside the hot path
/// and left out.
/// </summary>
internal sealed class RmqStyleQueue : IAsyncDisposable
{
    private readonly IDatabase _db;
    private readonly int _prefetchLimit;
    private readonly TimeSpan _pollDuration;
    private readonly Channel<RedisValue> _deliveries;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public RmqStyleQueue(IDatabase db, string name, string connection, int prefetchLimit, TimeSpan pollDuration)
    {
        var keys = new RedisKeys(KeyDialect.Classic);
        _db = db;
        _prefetchLimit = prefetchLimit;
        _pollDuration = pollDuration;
        Ready = keys.Ready(name);
        Unacked = keys.Unacked(connection, name);
        _deliveries = Channel.CreateBounded<RedisValue>(new BoundedChannelOptions(prefetchLimit) { SingleWriter = true });
    }

    public RedisKey Ready { get; }
    public RedisKey Unacked { get; }

    public Task PublishAsync(RedisValue payload) => _db.ListLeftPushAsync(Ready, payload);

    public Task PublishAsync(RedisValue[] payloads) => _db.ListLeftPushAsync(Ready, payloads);

    /// <summary>Starts the fetch loop (Go: <c>StartConsuming</c> → <c>go queue.consume()</c>).</summary>
    public void StartConsuming() => _loops.Add(Task.Run(ConsumeAsync));

    /// <summary>Go: <c>AddConsumer</c> → <c>go queue.consumerConsume(consumer)</c>.</summary>
    public void AddConsumer(Func<RedisValue, Task> consume) => _loops.Add(Task.Run(async () =>
    {
        try
        {
            while (true)
            {
                var payload = await _deliveries.Reader.ReadAsync(_stop.Token);
                await consume(payload);
            }
        }
        catch (OperationCanceledException) { }
        catch (ChannelClosedException) { }
    }));

    /// <summary>Go: <c>AddBatchConsumer</c> → <c>consumerBatchConsume</c> with <c>batchTimeout</c>.</summary>
    public void AddBatchConsumer(int batchSize, TimeSpan timeout, Func<List<RedisValue>, Task> consume) => _loops.Add(Task.Run(async () =>
    {
        try
        {
            var batch = new List<RedisValue>(batchSize);
            while (true)
            {
                batch.Add(await _deliveries.Reader.ReadAsync(_stop.Token)); // wait for the first delivery
                using (var timer = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                {
                    timer.CancelAfter(timeout);
                    try
                    {
                        while (batch.Count < batchSize) batch.Add(await _deliveries.Reader.ReadAsync(timer.Token));
                    }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested) { } // timeout: submit the batch
                }
                await consume(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) { }
        catch (ChannelClosedException) { }
    }));

    /// <summary>Go: <c>delivery.Ack()</c> = <c>LREM unacked 1 payload</c>; true when it was found.</summary>
    public async Task<bool> AckAsync(RedisValue payload) => await _db.ListRemoveAsync(Unacked, payload, 1) == 1;

    private async Task ConsumeAsync()
    {
        while (!_stop.IsCancellationRequested) await ConsumeBatchAsync();
    }

    private async Task ConsumeBatchAsync()
    {
        var unackedCount = await _db.ListLengthAsync(Unacked);
        var batchSize = _prefetchLimit - unackedCount;
        if (batchSize <= 0)
        {
            await SleepAsync(); // already at the prefetch limit: wait for consumers to finish
            return;
        }
        for (long i = 0; i < batchSize; i++)
        {
            if (_stop.IsCancellationRequested) return;
            var payload = await _db.ListRightPopLeftPushAsync(Ready, Unacked);
            if (payload.IsNull)
            {
                await SleepAsync(); // ready is empty: wait for new deliveries
                return;
            }
            try
            {
                await _deliveries.Writer.WriteAsync(payload, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SleepAsync()
    {
        try { await Task.Delay(_pollDuration, _stop.Token); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Go: <c>StopConsuming</c>; waits for the loops to end (their current call finishes first).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
