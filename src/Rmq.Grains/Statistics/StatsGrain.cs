using Orleans.Concurrency;
using Rmq.Redis;

namespace Rmq.Statistics;

/// <summary>Answers stats calls on the silo that receives them; the reads go straight to Redis.</summary>
[StatelessWorker]
internal sealed class StatsGrain(RedisConnection redis, RedisQueueStore store) : Grain, IStatsGrain
{
    private readonly RedisStatsReader _reader = new(redis, store);

    public async Task<StatsOverview> GetOverview() =>
        await ConsumingStatuses.AddToAsync(await _reader.ReadAsync(), GrainFactory, store) with { Server = await redis.DescribeServersAsync() };
}
