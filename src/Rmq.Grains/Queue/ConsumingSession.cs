using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// The consuming engine of one queue activation, bound to one rmq connection. It runs entirely on
/// the grain's scheduler (single-threaded, no locks): a pump loop applies finished outcomes and
/// prefetches in one Redis round trip, and hands deliveries to idle consumers without awaiting them
/// inside a request turn.
/// </summary>
/// <remarks>
/// Accounting: <c>_held</c> counts the elements of this connection's unacked list that we know of —
/// buffered, inside consumer calls, or finished but not yet applied. The Lua script checks LLEN too,
/// so unacked never exceeds the prefetch limit even if the two disagree.
/// </remarks>
internal sealed partial class ConsumingSession(
    string queue,
    string connection,
    int prefetchLimit,
    TimeSpan pollInterval,
    RedisQueueStore store,
    RmqOptions options,
    RmqMetrics metrics,
    ILogger logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopRetryLimit = TimeSpan.FromSeconds(10);

    private readonly Queue<Prefetched> _buffer = new();
    private readonly List<ConsumerSlot> _slots = [];
    private readonly OutcomeBatch _pending = new();
    private readonly OutcomeBatch _sending = new();
    private readonly HashSet<Prefetched> _inFlightItems = [];
    private bool _mayHaveStrays;
    private TaskCompletionSource _signal = NewSignal();
    private Task? _pump;
    private int _held;
    private int _inFlight;
    private int _nextSlot;
    private long _nextId;
    private bool _readyMayHaveMore = true;
    private DateTime _nextPollAt;
    private bool _stopRequested;
    private bool _abandoned;
    private DateTime _stopFailingSince = DateTime.MaxValue;
    private int _failures;

    public string Queue { get; } = queue;
    public string Connection { get; } = connection;
    public int PrefetchLimit { get; } = prefetchLimit;
    public TimeSpan PollInterval { get; } = pollInterval;
    public string? PushQueue { get; set; }
    public bool IsStopping => _stopRequested;
    public IEnumerable<ConsumerRegistration> Consumers => _slots.Select(s => s.Registration);
    public int ConsumerCount => _slots.Count;

    /// <summary>Starts the pump. Call from the grain's scheduler.</summary>
    public void Start() => _pump ??= PumpAsync();

    /// <summary>Something may have been published: fetch now instead of waiting for the poll.</summary>
    public void Wake()
    {
        _readyMayHaveMore = true;
        Signal();
    }

    public void AddConsumer(ConsumerSlot slot)
    {
        _slots.Add(slot);
        Signal();
    }

    /// <summary>
    /// Stops fetching and dispatching, returns buffered deliveries to the front of ready, waits for
    /// consumer calls in flight and applies their outcomes. Completes when nothing is left to do.
    /// </summary>
    public Task StopAsync()
    {
        _stopRequested = true;
        Signal();
        return _pump ?? Task.CompletedTask;
    }

    /// <summary>
    /// Gives up without touching Redis (it is unreachable): whatever this connection holds stays in its
    /// unacked list, and a cleaner returns it to ready once the heartbeat has expired.
    /// </summary>
    public void Abandon()
    {
        _abandoned = true;
        _stopRequested = true;
        _buffer.Clear();
        Signal();
    }

    private async Task PumpAsync()
    {
        while (!_abandoned)
        {
            var now = DateTime.UtcNow;
            if (_stopRequested)
            {
                // Checkpoint: these were fetched but no consumer has seen them; back to the front of
                // ready. If the silo dies before the script runs, they stay in unacked for the cleaner.
                while (_buffer.TryDequeue(out var undelivered)) _pending.Returns.Add(undelivered.Raw);
            }
            else
            {
                Dispatch(now);
            }

            var fetchMax = 0;
            if (!_stopRequested && PrefetchLimit - _held > 0 && (_readyMayHaveMore || now >= _nextPollAt))
                fetchMax = PrefetchLimit - _held;

            if (_mayHaveStrays && !await ReconcileAsync())
            {
                await BackoffAsync();
                continue;
            }
            if (_pending.Count > 0 || fetchMax > 0)
            {
                if (!await ApplyAndFetchAsync(fetchMax)) await BackoffAsync();
                continue;
            }
            if (_stopRequested && _inFlight == 0) break;
            await WaitAsync(NextDeadline(now) - now);
        }
    }

    private async Task<bool> ApplyAndFetchAsync(int fetchMax)
    {
        _pending.MoveTo(_sending);
        FetchResult result;
        try
        {
            result = await store.ApplyAndFetchAsync(Queue, Connection, PushQueue, _sending, fetchMax, PrefetchLimit);
        }
        catch (Exception e) when (e is RedisUnavailableException or StackExchange.Redis.RedisException)
        {
            // Outcomes are never dropped: they go back to the pending batch and are retried. The
            // script may have run with its reply lost, leaving fetched elements we do not know of.
            _sending.MoveTo(_pending);
            _mayHaveStrays = true;
            _failures++;
            LogRedisFailure(Queue, _failures, e);
            return false;
        }
        _failures = 0;
        _stopFailingSince = DateTime.MaxValue;
        metrics.Acked(Queue, _sending.Acks.Count);
        metrics.Rejected(Queue, _sending.Rejects.Count);
        metrics.Pushed(Queue, _sending.Pushes.Count);
        metrics.Returned(Queue, _sending.Returns.Count);
        _held -= _sending.Count;
        _sending.Clear();
        if (result.Missing > 0) LogMissing(Queue, result.Missing);

        foreach (var raw in result.Fetched)
        {
            _held++;
            if (HeaderCodec.TryDecode(raw, out var headers, out var payload, out var error))
            {
                _buffer.Enqueue(new Prefetched(raw, new Delivery(Queue, payload, headers, ++_nextId)));
            }
            else
            {
                // As Go rmq (v5.1.3+): a header that cannot be decoded is rejected, never delivered.
                LogFaultyHeader(Queue, error!);
                _pending.Rejects.Add(raw);
            }
        }
        if (fetchMax > 0 && result.Fetched.Count < fetchMax)
        {
            _readyMayHaveMore = false;
            _nextPollAt = DateTime.UtcNow + PollInterval;
        }
        return true;
    }

    /// <summary>
    /// After a lost reply: elements of our unacked list that we hold nowhere were fetched by a script
    /// whose answer never came. No consumer has seen them: they go back to the front of ready.
    /// </summary>
    private async Task<bool> ReconcileAsync()
    {
        RedisValue[] listed;
        try
        {
            listed = await store.UnackedAsync(Connection, Queue);
        }
        catch (RedisUnavailableException)
        {
            return false;
        }
        var known = new Dictionary<string, int>();
        void Know(RedisValue raw) => known[Key(raw)] = known.GetValueOrDefault(Key(raw)) + 1;
        foreach (var p in _buffer) Know(p.Raw);
        foreach (var p in _inFlightItems) Know(p.Raw);
        foreach (var list in (List<RedisValue>[])[_pending.Acks, _pending.Rejects, _pending.Pushes, _pending.Returns])
            foreach (var raw in list) Know(raw);
        var strays = 0;
        // LRANGE lists newest first; returns are given oldest first.
        foreach (var raw in listed.Reverse())
        {
            var key = Key(raw);
            if (known.GetValueOrDefault(key) > 0) known[key]--;
            else
            {
                _pending.Returns.Add(raw);
                _held++;
                strays++;
            }
        }
        _mayHaveStrays = false;
        if (strays > 0) LogStrays(Queue, strays);
        return true;

        static string Key(RedisValue raw) => Convert.ToHexString((byte[])raw!);
    }

    private void Dispatch(DateTime now)
    {
        var count = _slots.Count;
        for (var k = 0; k < count && _buffer.Count > 0; k++)
        {
            var slot = _slots[(_nextSlot + k) % count];
            if (slot.Busy || slot.RetryAt > now) continue;
            if (slot.Single is { } single)
            {
                StartCall(slot, single, _buffer.Dequeue());
                continue;
            }
            var reg = slot.Registration;
            slot.FillStartedAt ??= now;
            if (_buffer.Count < reg.BatchSize && now < slot.FillStartedAt + reg.BatchTimeout) continue;
            var batch = new List<Prefetched>(Math.Min(reg.BatchSize, _buffer.Count));
            while (batch.Count < reg.BatchSize && _buffer.TryDequeue(out var p)) batch.Add(p);
            slot.FillStartedAt = null;
            StartCall(slot, slot.Batch!, batch);
        }
        _nextSlot = count == 0 ? 0 : (_nextSlot + 1) % count;
        if (_buffer.Count == 0)
            foreach (var slot in _slots) slot.FillStartedAt = null;
    }

    private void StartCall(ConsumerSlot slot, IConsumerGrain consumer, Prefetched item)
    {
        slot.Busy = true;
        _inFlight++;
        _inFlightItems.Add(item);
        _ = CallAsync(slot, consumer, item);
    }

    private void StartCall(ConsumerSlot slot, IBatchConsumerGrain consumer, List<Prefetched> batch)
    {
        slot.Busy = true;
        _inFlight += batch.Count;
        _inFlightItems.UnionWith(batch);
        _ = CallAsync(slot, consumer, batch);
    }

    private async Task CallAsync(ConsumerSlot slot, IConsumerGrain consumer, Prefetched item)
    {
        metrics.Delivered(Queue, 1);
        var started = Stopwatch.GetTimestamp();
        try
        {
            Record(item.Raw, await consumer.Consume(item.Delivery));
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            Unreachable(slot, e);
            Record(item.Raw, null);
        }
        catch (Exception e)
        {
            LogConsumerFailed(Queue, slot.Registration.Name, e);
            Record(item.Raw, DeliveryOutcome.Push);
        }
        metrics.ConsumeDuration(Queue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _inFlightItems.Remove(item);
        slot.Busy = false;
        _inFlight--;
        DispatchTo(slot);
        Signal();
    }

    private async Task CallAsync(ConsumerSlot slot, IBatchConsumerGrain consumer, List<Prefetched> batch)
    {
        var deliveries = batch.ConvertAll(p => p.Delivery);
        metrics.Delivered(Queue, batch.Count);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcomes = await consumer.Consume(deliveries);
            if (outcomes is null || outcomes.Count != batch.Count)
            {
                LogBatchResultMismatch(Queue, slot.Registration.Name, batch.Count, outcomes?.Count ?? -1);
                foreach (var p in batch) Record(p.Raw, DeliveryOutcome.Push);
            }
            else
            {
                for (var i = 0; i < batch.Count; i++) Record(batch[i].Raw, outcomes[i]);
            }
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            Unreachable(slot, e);
            foreach (var p in batch) Record(p.Raw, null);
        }
        catch (Exception e)
        {
            LogConsumerFailed(Queue, slot.Registration.Name, e);
            foreach (var p in batch) Record(p.Raw, DeliveryOutcome.Push);
        }
        metrics.ConsumeDuration(Queue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _inFlightItems.ExceptWith(batch);
        slot.Busy = false;
        _inFlight -= batch.Count;
        DispatchTo(slot);
        Signal();
    }

    /// <summary>
    /// A consumer has just finished: hand it its next buffered delivery (a full batch, for a batch
    /// consumer) at once rather than when the pump comes round, which may be waiting for a Redis round
    /// trip. The outcome just recorded is applied by the pump's next round trip, together with every
    /// other outcome that finished meanwhile. A partial batch is left to the pump, which knows its timeout.
    /// </summary>
    private void DispatchTo(ConsumerSlot slot)
    {
        if (_stopRequested || _buffer.Count == 0 || slot.RetryAt > DateTime.UtcNow) return;
        if (slot.Single is { } single)
        {
            StartCall(slot, single, _buffer.Dequeue());
            return;
        }
        var size = slot.Registration.BatchSize;
        if (_buffer.Count < size) return;
        var batch = new List<Prefetched>(size);
        while (batch.Count < size) batch.Add(_buffer.Dequeue());
        slot.FillStartedAt = null;
        StartCall(slot, slot.Batch!, batch);
    }

    /// <summary>Queues an outcome for the next round trip; <c>null</c> = the consumer never saw it.</summary>
    private void Record(RedisValue raw, DeliveryOutcome? outcome)
    {
        var target = outcome switch
        {
            null => _pending.Returns,
            DeliveryOutcome.Ack => _pending.Acks,
            DeliveryOutcome.Reject => _pending.Rejects,
            _ => PushQueue is null ? _pending.Rejects : _pending.Pushes,
        };
        target.Add(raw);
    }

    private void Unreachable(ConsumerSlot slot, Exception e)
    {
        slot.RetryAt = DateTime.UtcNow + options.ConsumerRetryDelay;
        LogConsumerUnreachable(Queue, slot.Registration.Name, e.GetType().Name, e.Message);
    }

    /// <summary>The consumer never ran the delivery: its silo is gone, or the call timed out before an answer.</summary>
    private static bool IsUnreachable(Exception e) =>
        e is OrleansMessageRejectionException or TimeoutException or Orleans.Runtime.Messaging.ConnectionFailedException;

    private DateTime NextDeadline(DateTime now)
    {
        var deadline = DateTime.MaxValue;
        if (!_stopRequested && PrefetchLimit - _held > 0 && !_readyMayHaveMore) deadline = _nextPollAt;
        foreach (var slot in _slots)
        {
            if (slot.RetryAt > now && slot.RetryAt < deadline && _buffer.Count > 0) deadline = slot.RetryAt;
            if (!slot.Busy && slot.FillStartedAt is { } started && started + slot.Registration.BatchTimeout < deadline)
                deadline = started + slot.Registration.BatchTimeout;
        }
        return deadline;
    }

    private async Task WaitAsync(TimeSpan timeout)
    {
        var signal = _signal;
        if (!signal.Task.IsCompleted && timeout > TimeSpan.Zero)
        {
            if (timeout >= TimeSpan.FromDays(1))
            {
                await signal.Task;
            }
            else
            {
                using var cancel = new CancellationTokenSource();
                await Task.WhenAny(signal.Task, Task.Delay(timeout, cancel.Token));
                cancel.Cancel();
            }
        }
        if (signal.Task.IsCompleted) _signal = NewSignal();
    }

    private async Task BackoffAsync()
    {
        if (_stopRequested)
        {
            var now = DateTime.UtcNow;
            if (_stopFailingSince == DateTime.MaxValue) _stopFailingSince = now;
            if (now - _stopFailingSince > StopRetryLimit)
            {
                // Redis stays down while stopping: leave the rest in unacked, where the cleaner finds it.
                LogStopGaveUp(Queue, _pending.Count);
                _abandoned = true;
                return;
            }
        }
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(_failures, 5)))));
    }

    private void Signal() => _signal.TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
