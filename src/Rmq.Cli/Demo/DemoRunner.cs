using System.Diagnostics;
using Rmq.Demo;
using Spectre.Console;

namespace Rmq.Cli.Demo;

/// <summary>
/// The README's main job: a producer here and the silo's demo consumers, with live progress bars and
/// the final counts read from Redis.
/// </summary>
internal sealed class DemoRunner(IGrainFactory grains, IAnsiConsole console)
{
    public const string QueueName = "rmq-demo";

    public async Task<int> RunAsync(int messages, CancellationToken cancellationToken)
    {
        var queue = grains.GetGrain<IQueueGrain>(QueueName);
        // A fresh start: whatever an earlier run left behind would skew the counts.
        await queue.StopConsuming();
        await queue.PurgeReady();
        await queue.PurgeRejected();

        await queue.StartConsuming(prefetchLimit: 1000, pollInterval: TimeSpan.FromMilliseconds(100));
        for (var i = 0; i < 8; i++) await queue.AddConsumer("demo-consumer", grains.GetGrain<IDemoConsumerGrain>(i));
        for (var i = 0; i < 2; i++)
            await queue.AddBatchConsumer("demo-batch", grains.GetGrain<IDemoBatchConsumerGrain>(i), 100, TimeSpan.FromMilliseconds(50));

        console.MarkupLine($"[bold]Rmq demo[/]: publishing {messages:N0} deliveries to queue [blue]{QueueName}[/] (1 in 100 is rejected by the consumers)");
        var clock = Stopwatch.StartNew();
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var published = progress.AddTask("published", maxValue: messages);
                var consumed = progress.AddTask("consumed", maxValue: messages);
                var producer = ProduceAsync(queue, messages, published, cancellationToken);
                while (true)
                {
                    var stats = await queue.GetStats();
                    var done = (long)published.Value - stats.ReadyCount - stats.UnackedCount;
                    consumed.Value = Math.Max(0, done);
                    if (producer.IsCompleted && done >= messages) break;
                    await Task.Delay(200, cancellationToken);
                }
                await producer;
            });
        var elapsed = clock.Elapsed;
        await queue.StopConsuming();
        var final = await queue.GetStats();

        var table = new Table().Title("Final stats (read from Redis)").AddColumns("what", "value");
        table.AddRow("published", messages.ToString("N0"));
        table.AddRow("acked", (messages - final.RejectedCount - final.ReadyCount - final.UnackedCount).ToString("N0"));
        table.AddRow("rejected", final.RejectedCount.ToString("N0"));
        table.AddRow("ready", final.ReadyCount.ToString("N0"));
        table.AddRow("unacked", final.UnackedCount.ToString("N0"));
        table.AddRow("elapsed", $"{elapsed.TotalSeconds:F1} s");
        table.AddRow("throughput", $"{messages / elapsed.TotalSeconds:N0} deliveries/s end to end");
        console.Write(table);
        return final.ReadyCount == 0 && final.UnackedCount == 0 ? ExitCodes.Success : ExitCodes.Failed;
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
        while (sent < messages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Enumerable.Range(sent, Math.Min(500, messages - sent)).Select(Payload).ToList();
            await queue.PublishBatch(batch);
            sent += batch.Count;
            progress.Increment(batch.Count);
        }
    }

    private static string Payload(int i) => i % 100 == 99 ? $"bad {i}" : $"job {i}";
}
