using StackExchange.Redis;

namespace Rmq.Publishing;

/// <summary>
/// Concurrent publishes to one queue share LPUSHes: while one LPUSH is in flight, the publishes that
/// arrive meanwhile wait and then go together in the next one (a group commit). One publisher at a
/// time sees one LPUSH per publish; a hundred concurrent ones see a few LPUSHes per round trip, and
/// each publish still completes only once Redis has its element. Thread-safe.
/// </summary>
internal sealed class PublishLane(Func<RedisValue[], Task> push)
{
    private const int MaxBatchElements = 1000;
    private const long MaxBatchBytes = 1024 * 1024;

    private readonly Lock _gate = new();
    private Batch? _next;
    private bool _inFlight;

    public Task PublishAsync(RedisValue element, long bytes)
    {
        lock (_gate)
        {
            if (_inFlight)
            {
                _next ??= new Batch();
                if (_next.Elements.Count == 0 || (_next.Elements.Count < MaxBatchElements && _next.Bytes + bytes <= MaxBatchBytes))
                {
                    _next.Elements.Add(element);
                    _next.Bytes += bytes;
                    return _next.Done.Task;
                }
                // The gathering batch is full: this one goes on its own, beside the lane.
                return push([element]);
            }
            _inFlight = true;
        }
        var sent = push([element]);
        _ = SendWaitingAfterAsync(sent);
        return sent;
    }

    /// <summary>Once the LPUSH in flight is answered, sends what gathered meanwhile, until nothing waits.</summary>
    private async Task SendWaitingAfterAsync(Task inFlight)
    {
        // The publisher that sent it observes its outcome; here it only marks when the lane is free.
        await inFlight.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (true)
        {
            Batch batch;
            lock (_gate)
            {
                if (_next is null)
                {
                    _inFlight = false;
                    return;
                }
                batch = _next;
                _next = null;
            }
            try
            {
                await push([.. batch.Elements]).ConfigureAwait(false);
                batch.Done.TrySetResult();
            }
            catch (Exception e)
            {
                batch.Done.TrySetException(e);
            }
        }
    }

    private sealed class Batch
    {
        public List<RedisValue> Elements { get; } = [];
        public long Bytes { get; set; }
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
