namespace Rmq.Tests;

/// <summary>Helpers to read the three lists of a queue straight from Redis.</summary>
public abstract class QueueTestBase(RmqClusterFixture fixture)
{
    protected RmqClusterFixture Fixture { get; } = fixture;
    protected IDatabase Db => Fixture.Db;
    protected RedisKeys Keys => Fixture.Keys;

    protected IQueueGrain Queue(string name) => Fixture.Queue(name);

    protected async Task<ITestConsumerGrain> ConsumerAsync(ConsumerBehaviour behaviour)
    {
        var consumer = Fixture.Grains.GetGrain<ITestConsumerGrain>(Guid.NewGuid().ToString());
        await consumer.Configure(behaviour);
        return consumer;
    }

    protected async Task<ITestBatchConsumerGrain> BatchConsumerAsync(ConsumerBehaviour behaviour)
    {
        var consumer = Fixture.Grains.GetGrain<ITestBatchConsumerGrain>(Guid.NewGuid().ToString());
        await consumer.Configure(behaviour);
        return consumer;
    }

    protected Task<long> Ready(string queue) => Db.ListLengthAsync(Keys.Ready(queue));

    protected Task<long> Rejected(string queue) => Db.ListLengthAsync(Keys.Rejected(queue));

    /// <summary>
    /// The sum of LLEN over every unacked list of the queue found in Redis: the grain's current connection, ones it
    /// closed or lost, and Go rmq's. Asking the grain for its connection would read nothing once it stops consuming.
    /// </summary>
    protected Task<long> Unacked(string queue) => Fixture.Multiplexer.UnackedTotalAsync(Keys, queue);

    /// <summary>(ready, unacked, rejected), for one-line assertions.</summary>
    protected Task<(long Ready, long Unacked, long Rejected)> Counts(string queue) => Fixture.Multiplexer.CountsAsync(Keys, queue);

    protected Task EventuallyCounts(string queue, long ready, long unacked, long rejected, double seconds = 10) =>
        Eventually.Equal((ready, unacked, rejected), () => Counts(queue), $"(ready, unacked, rejected) of {queue}", seconds);

    /// <summary>
    /// Stops consuming while a consumer holds a delivery: StopConsuming waits for it, so it is finished
    /// only once the queue has begun stopping (finishing earlier would just hand it the next one).
    /// </summary>
    protected static async Task StopWhileHeld(IQueueGrain queue, Func<Task> finishHeld)
    {
        var stop = queue.StopConsuming();
        await Eventually.True(async () => await queue.GetConnectionName() is null, "queue stopping");
        await finishHeld();
        await stop;
    }

    protected static async Task<List<string>> Payloads(ITestConsumerGrain consumer) =>
        (await consumer.GetDeliveries()).Select(d => d.Payload).ToList();
}
