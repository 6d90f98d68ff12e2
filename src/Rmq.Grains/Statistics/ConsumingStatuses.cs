using Rmq.Redis;

namespace Rmq.Statistics;

/// <summary>Adds each consuming queue's engine status (asked of its queue grain) to a stats overview read from Redis.</summary>
public static class ConsumingStatuses
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The overview with <see cref="QueueOverview.Consuming"/> filled in for every queue configured as
    /// consuming. Asking activates a queue grain that is not active, which resumes it: what the cleaner
    /// does anyway. A grain that does not answer within 2 s is left null.
    /// </summary>
    public static async Task<StatsOverview> AddToAsync(StatsOverview overview, IGrainFactory grains, RedisQueueStore store)
    {
        var consuming = (await store.ConsumingQueuesAsync().ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var asks = overview.Queues
            .Select(q => consuming.Contains(q.Name) ? AskAsync(grains.GetGrain<IQueueGrain>(q.Name)) : Task.FromResult<ConsumingStatus?>(null))
            .ToList();
        var statuses = await Task.WhenAll(asks).ConfigureAwait(false);
        return overview with { Queues = overview.Queues.Select((q, i) => q with { Consuming = statuses[i] }).ToList() };
    }

    private static async Task<ConsumingStatus?> AskAsync(IQueueGrain queue)
    {
        try
        {
            return await queue.GetConsumingStatus().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return null;
        }
    }
}
