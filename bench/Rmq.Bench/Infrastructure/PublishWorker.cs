using System.Diagnostics;
using System.Globalization;
using Rmq.Bench.Baseline;
using Rmq.Publishing;
using StackExchange.Redis;

namespace Rmq.Bench.Infrastructure;

/// <summary>
/// The <c>publish-worker</c> command (see <see cref="PublisherProcess"/>): <paramref name="publishers"/>
/// concurrent publishers, one message per call, the same payloads as an in-process run. Side
/// <c>rmq</c> publishes through <see cref="RmqPublisher"/>; <c>baseline</c> through Go rmq's
/// <c>Publish</c> (one LPUSH per call).
/// </summary>
internal static class PublishWorker
{
    public static async Task<int> RunAsync(string side, string redis, string queue, int messages, int publishers, int payloadBytes)
    {
        var lane = (messages + publishers - 1) / publishers;
        Func<string, Task> publish;
        IAsyncDisposable connection;
        if (side == "rmq")
        {
            var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = redis);
            var target = publisher.Queue(queue);
            publish = target.Publish;
            connection = publisher;
        }
        else
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis);
            var baseline = new RmqStyleQueue(multiplexer.GetDatabase(), queue, "unused", 1, TimeSpan.FromSeconds(1));
            publish = payload => baseline.PublishAsync(payload);
            connection = multiplexer;
        }
        await using (connection)
        {
            var chunks = Payloads.TextChunks(queue, messages, lane, payloadBytes);
            Console.WriteLine("ready");
            if (await Console.In.ReadLineAsync() != "go") return 1;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            await Task.WhenAll(chunks.Select(chunk => Task.Run(async () =>
            {
                foreach (var payload in chunk) await publish(payload);
            })));
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done {used.TotalMicroseconds:F0} {allocated}"));
        }
        return 0;
    }
}
