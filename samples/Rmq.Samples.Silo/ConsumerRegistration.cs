using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rmq;

namespace Rmq.Samples.Silo;

/// <summary>
/// Start-up code: consumes the queue <c>orders</c> with one <see cref="OrderConsumer"/>. Runs on every boot; the
/// settings and the consumer are kept in Redis, so on a restart both calls find them and change nothing.
/// </summary>
public sealed partial class ConsumerRegistration(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<ConsumerRegistration> logger) : BackgroundService
{
    public const string Queue = "orders";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grains can be called once the silo has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);
        var orders = grains.GetGrain<IQueueGrain>(Queue);
        await orders.StartConsuming(prefetchLimit: 20, pollInterval: TimeSpan.FromMilliseconds(100));
        await orders.AddConsumer("orders-1", grains.GetGrain<IOrderConsumer>("1"));
        LogConsuming(Queue);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "consuming the queue {Queue}")]
    private partial void LogConsuming(string queue);
}
