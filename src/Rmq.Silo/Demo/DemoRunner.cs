using System.Diagnostics;
using Spectre.Console;

namespace Rmq.Silo.Demo;

/// <summary>
/// The README's main job: a producer and consumers on the local silo, with live progress and final
/// stats read from Redis.
/// </summary>
internal sealed class DemoRunner(IGrainFactory grains)
{
    public const string QueueName = "rmq-demo";

    public async Task<int> RunAsync(int messages, CancellationToken cancellationToken)
    {
        var queue = grains.GetGrain<IQueueGrain>(QueueName);
        await queue.StopConsuming();
        await queue.PurgeReady();
        await queue.PurgeRejected();

        await queue.StartConsuming(prefetchLimit: 1000, pollInterval: TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 8; i++) await queue.AddConsumer("demo-consumer", grains.GetGrain<IDemoConsumerGrain>(i));
        for (var i = 0; i < 2; i++)
            await queue.AddBatchConsumer("demo-batch", grains.GetGrain<IDemoBatchConsumerGrain>(i), 100, TimeSpan.FromMilliseconds(50));

        AnsiConsole.MarkupLine($"[bold]Rmq demo[/]: publishing {messages:N0} deliveries to queue [blue]{QueueName}[/] (1 in 100 is rejected by the consumers)");
        var clock = Stopwatch.StartNew();
        QueueStats stats = await queue.GetStats();
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var published = progress.AddTask("published", maxValue: messages);
                var consumed = progress.AddTask("consumed", maxValue: messages);
                var producer = ProduceAsync(queue, messages, published, cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    stats = await queue.GetStats();
                    var done = (long)published.Value - stats.ReadyCount - stats.UnackedCount;
                    consumed.Value = Math.Max(0, done);
                    if (producer.IsCompleted && done >= messages) break;
                    await Task.Delay(200, cancellationToken);
                }
                await producer;
            });
        var elapsed = clock.Elapsed;
        await queue.StopConsuming();
        stats = await queue.GetStats();

        var table = new Table().Title("Final stats (read from Redis)").AddColumns("what", "value");
        table.AddRow("published", messages.ToString("N0"));
        table.AddRow("acked", (messages - stats.RejectedCount - stats.ReadyCount - stats.UnackedCount).ToString("N0"));
        table.AddRow("rejected", stats.RejectedCount.ToString("N0"));
        table.AddRow("ready", stats.ReadyCount.ToString("N0"));
        table.AddRow("unacked", stats.UnackedCount.ToString("N0"));
        table.AddRow("elapsed", $"{elapsed.TotalSeconds:F1} s");
        table.AddRow("throughput", $"{messages / elapsed.TotalSeconds:N0} deliveries/s end to end");
        AnsiConsole.Write(table);
        return stats.ReadyCount == 0 && stats.UnackedCount == 0 ? 0 : 1;
    }

    private static async Task ProduceAsync(IQueueGrain queue, int messages, ProgressTask progress, CancellationToken cancellationToken)
    {
        var sent = 0;
        // A few single publishes, then batches: both paths of the producer API.
        for (; sent < Math.Min(100, messages); sent++)
        {
            await queue.Publish(Payload(sent));
            progress.Increment(1);
        }
        while (sent < messages && !cancellationToken.IsCancellationRequested)
        {
            var batch = Enumerable.Range(sent, Math.Min(500, messages - sent)).Select(Payload).ToList();
            await queue.PublishBatch(batch);
            sent += batch.Count;
            progress.Increment(batch.Count);
        }
    }

    private static string Payload(int i) => i % 100 == 99 ? $"bad {i}" : $"job {i}";
}
