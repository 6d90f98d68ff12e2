using StackExchange.Redis;

namespace Rmq.Publishing;

/// <summary>
/// The publishes of one queue. Each is sent at once as its own pipelined LPUSH — until
/// <see cref="MaxInFlight"/> are in flight; publishes that arrive then wait and go together in one LPUSH
/// when one comes back (a group commit). So a few publishers pay nothing for it, and a hundred
/// concurrent ones cost Redis a few commands per round trip instead of a hundred. Each publish
/// completes only once Redis has its element. Thread-safe.
/// </summary>
internal sealed class PublishLane(RmqPublisher publisher, string queue)
{
    private const int MaxInFlight = 32;
    private const int MaxBatchElements = 1000;
    private const long MaxBatchBytes = 1024 * 1024;

    private readonly RedisKey _ready = publisher.Keys.Ready(queue);
    private readonly Lock _gate = new();
    private Batch? _waiting;
    private int _inFlight;

    /// <summary>Publishes one element of <paramref name="bytes"/> bytes (or at most that many).</summary>
    public Task PublishAsync(RedisValue element, long bytes)
    {
        lock (_gate)
        {
            if (_inFlight >= MaxInFlight)
            {
                _waiting ??= new Batch();
                if (_waiting.Elements.Count == 0 || (_waiting.Elements.Count < MaxBatchElements && _waiting.Bytes + bytes <= MaxBatchBytes))
                {
                    _waiting.Elements.Add(element);
                    _waiting.Bytes += bytes;
                    return _waiting.Done.Task;
                }
                // The waiting batch is full: this one goes on its own, beside the lane.
            }
            _inFlight++;
        }
        return SendOneAsync(element);
    }

    private async Task SendOneAsync(RedisValue element)
    {
        try
        {
            await publisher.IssuePush(queue, _ready, element).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RedisUnavailableException)
        {
            throw publisher.Translate(e);
        }
        finally
        {
            Returned();
        }
    }

    /// <summary>An LPUSH came back: if publishes are waiting, they go now, together.</summary>
    private void Returned()
    {
        Batch? batch;
        lock (_gate)
        {
            batch = _waiting;
            _waiting = null;
            if (batch is null) _inFlight--;
        }
        if (batch is not null) _ = SendBatchAsync(batch);
    }

    private async Task SendBatchAsync(Batch batch)
    {
        try
        {
            await publisher.PushAsync(queue, _ready, [.. batch.Elements]).ConfigureAwait(false);
            batch.Done.TrySetResult();
        }
        catch (Exception e)
        {
            batch.Done.TrySetException(e);
        }
        finally
        {
            Returned();
        }
    }

    private sealed class Batch
    {
        public List<RedisValue> Elements { get; } = [];
        public long Bytes { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
