using System.Diagnostics;
using Rmq.Bench.Baseline;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// End to end: consuming is set up first (prefetch limit and poll interval from the settings), then
/// the clock starts, publishers publish N payloads, and the clock stops when N deliveries have been
/// consumed and acked in Redis. Consumers do nothing but ack. The headline rows publish as most
/// producers do, one message per call, with 1 and with 10 concurrent publishers (Rmq: the client
/// library's direct publisher; baseline: Go rmq's Publish); the other rows publish in batches of
/// <see cref="BenchSettings.E2ePublishBatch"/>, so that publishing is not what limits consuming.
/// </summary>
internal sealed class EndToEndScenario(RmqHost rmq, IDatabase db, AckMeter acks, CpuMeter cpuMeter, BenchSettings settings, Repetitions repetitions, CeilingScenario? ceiling,
    AllocationProfile? allocations = null, CommandProfile? commands = null)
{
    private readonly CpuMeter _cpu = cpuMeter;

    /// <summary>Batch consumers and the baseline's batch consumers submit a partial batch after this long.</summary>
    public static readonly TimeSpan BatchTimeout = TimeSpan.FromMilliseconds(10);

    public async Task<IReadOnlyList<Figure>> RunAsync()
    {
        var figures = new List<Figure>();
        foreach (var publishers in settings.E2ePublishers)
        {
            var consumers = settings.E2eSingleConsumers;
            var figure = new Figure($"e2e.single.{publishers}", "End to end",
                $"{consumers} consumers, {publishers} publisher{(publishers == 1 ? "" : "s")} one message per call", "msg/s", true)
            { CeilingOp = ceiling is null ? null : "LMOVE" };
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineAsync(consumers, 0, rep, settings.E2eSingleMessages, figure, publishers)),
                (Side.Rmq, rep => RmqAsync(consumers, 0, rep, settings.E2eSingleMessages, figure, publishers)),
            ], figure));
            figures.Add(figure);
        }
        foreach (var consumers in settings.Consumers)
        {
            var figure = new Figure($"e2e.consumers.{consumers}", "End to end",
                $"{consumers} consumer{(consumers == 1 ? "" : "s")}, publisher batches of {settings.E2ePublishBatch}", "msg/s", true)
            { CeilingOp = ceiling is null ? null : "LMOVE" };
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineAsync(consumers, 0, rep, figure: figure)),
                (Side.Rmq, rep => RmqAsync(consumers, 0, rep, figure: figure)),
            ], figure));
            figures.Add(figure);
        }
        if (settings.Consumers.Count > 0)
        {
            // Job ids (issue 20): each message gets a fresh UUID v7 in its rmq-job-id header, made inside the timed run as a
            // producer makes it. The baseline publishes the same payloads without ids (Go rmq has none): the ratio against
            // the plain row of the same consumers is what ids cost.
            var consumers = settings.Consumers[^1];
            var figure = new Figure($"e2e.jobids.{consumers}", "End to end",
                $"{consumers} consumer{(consumers == 1 ? "" : "s")}, publisher batches of {settings.E2ePublishBatch}, each with a job id", "msg/s", true)
            { CeilingOp = ceiling is null ? null : "LMOVE" };
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineAsync(consumers, 0, rep, figure: figure)),
                (Side.Rmq, rep => RmqAsync(consumers, 0, rep, figure: figure, jobIds: true)),
            ], figure));
            figures.Add(figure);
        }
        if (settings.BatchConsumers > 0)
        {
            var figure = new Figure("e2e.batch", "End to end",
                $"{settings.BatchConsumers} batch consumer{(settings.BatchConsumers == 1 ? "" : "s")} (batch {settings.BatchSize}), publisher batches", "msg/s", true)
            { CeilingOp = ceiling is null ? null : "LMOVE" };
            await repetitions.MeasureAsync(figure, WithCeiling(
            [
                (Side.Baseline, rep => BaselineAsync(settings.BatchConsumers, settings.BatchSize, rep, figure: figure)),
                (Side.Rmq, rep => RmqAsync(settings.BatchConsumers, settings.BatchSize, rep, figure: figure)),
            ], figure));
            figures.Add(figure);
        }
        return figures;
    }

    // An in-process publisher's CPU is already in this process's; an external one reports its own.
    private static async Task<PublisherCost> InProcess(Task publishing)
    {
        await publishing;
        return PublisherCost.InProcess;
    }

    private static CpuCost WithPublisher(CpuCost cost, PublisherCost publisher, int n) =>
        cost with
        {
            ProcessUs = cost.ProcessUs + publisher.Cpu.TotalMicroseconds / n,
            AllocatedBytes = cost.AllocatedBytes + publisher.AllocatedBytes / (double)n,
        };

    private List<(Side, Func<int, Task<double>>)> WithCeiling(List<(Side, Func<int, Task<double>>)> sides, Figure figure)
    {
        if (ceiling is not null) sides.Add((Side.Ceiling, rep => ceiling.LmoveOnceAsync($"{figure.Id}-{rep}")));
        return sides;
    }

    /// <summary>
    /// One Rmq run; <paramref name="batchSize"/> 0 = single consumers; <paramref name="publishers"/> 0 = one
    /// publisher in batches, else that many publishing one message per call. Its CPU cost goes to <paramref name="figure"/>.
    /// </summary>
    public async Task<double> RmqAsync(int consumers, int batchSize, int rep, int? messages = null, Figure? figure = null, int publishers = 0, bool jobIds = false)
    {
        if (jobIds && publishers > 0) throw new ArgumentException("job ids are measured with publisher batches only", nameof(jobIds));
        var n = messages ?? settings.Messages;
        var name = $"bench-e2e-{consumers}x{batchSize}-{rep}-{Guid.NewGuid():N}"[..40];
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
        for (var i = 0; i < consumers; i++)
        {
            if (batchSize == 0) await queue.AddConsumer("bench", rmq.Grains.GetGrain<IBenchConsumerGrain>($"c{i}"));
            else await queue.AddBatchConsumer("bench", rmq.Grains.GetGrain<IBenchBatchConsumerGrain>($"b{i}"), batchSize, BatchTimeout);
        }
        var chunks = Payloads.TextChunks(name, n, publishers == 0 ? settings.E2ePublishBatch : (n + publishers - 1) / publishers, settings.PayloadBytes);
        var direct = rmq.Publisher.Queue(name);
        var run = rmq.Probe.Begin(n, recordLatency: false);
        var acked = acks.Track(name, n);

        await using var external = publishers > 0 && settings.PublisherProcess
            ? await PublisherProcess.StartAsync("rmq", rmq.RedisEndpoint, name, n, publishers, settings.PayloadBytes)
            : null;
        using var profiled = figure is null ? null : allocations?.Record($"{figure.Label} [Rmq]", n);
        var commanded = figure is null || commands is null ? null : await commands.StartAsync($"{figure.Label} [Rmq]", n);
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        Task<PublisherCost> publisher = external is not null ? external.PublishAsync()
            : publishers == 0
            ? InProcess(Task.Run(async () =>
            {
                foreach (var chunk in chunks)
                {
                    if (jobIds) await queue.PublishBatch(chunk.ConvertAll(p => RmqMessage.Text(p).WithNewJobId()));
                    else await queue.PublishBatch(chunk);
                }
            }))
            : InProcess(Task.WhenAll(chunks.Select(lane => Task.Run(async () =>
            {
                foreach (var payload in lane) await direct.Publish(payload);
            }))));
        await Deadline.WithinAsync(Task.WhenAll(acked.All, publisher), settings.RunTimeout, $"Rmq end to end ({name})");
        var rate = n / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure?.AddCpu(Side.Rmq, WithPublisher(CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), n), await publisher, n));
        // The profiles' windows end with the measured run, before the checks below.
        profiled?.Dispose();
        if (commanded is not null) await commanded.EndAsync();

        await queue.StopConsuming();
        var stats = await queue.GetStats();
        acks.Forget(name);
        if (run.ConsumedCount != n || stats.ReadyCount != 0 || stats.UnackedCount != 0 || stats.RejectedCount != 0)
            throw new InvalidOperationException(
                $"Rmq end to end {name}: consumed {run.ConsumedCount} of {n}, ready {stats.ReadyCount}, unacked {stats.UnackedCount}, rejected {stats.RejectedCount}; the figure would be wrong");
        await queue.Destroy();
        return rate;
    }

    /// <summary>One run of the Go-rmq-style baseline; the parameters as <see cref="RmqAsync"/>'s.</summary>
    public async Task<double> BaselineAsync(int consumers, int batchSize, int rep, int? messages = null, Figure? figure = null, int publishers = 0)
    {
        var n = messages ?? settings.Messages;
        var name = $"base-e2e-{consumers}x{batchSize}-{publishers}p-{rep}";
        var queue = new RmqStyleQueue(db, name, $"base-conn-{rep}", settings.PrefetchLimit, settings.PollInterval);
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long acked = 0, lost = 0;
        void Acked(bool found)
        {
            if (!found) Interlocked.Increment(ref lost);
            if (Interlocked.Increment(ref acked) == n) done.TrySetResult();
        }

        queue.StartConsuming();
        for (var i = 0; i < consumers; i++)
        {
            if (batchSize == 0)
            {
                queue.AddConsumer(async payload => Acked(await queue.AckAsync(payload)));
            }
            else
            {
                queue.AddBatchConsumer(batchSize, BatchTimeout, async batch =>
                {
                    foreach (var payload in batch) Acked(await queue.AckAsync(payload));
                });
            }
        }
        var chunks = Payloads.ValueChunks(name, n, publishers == 0 ? settings.E2ePublishBatch : (n + publishers - 1) / publishers, settings.PayloadBytes);

        await using var external = publishers > 0 && settings.PublisherProcess
            ? await PublisherProcess.StartAsync("baseline", rmq.RedisEndpoint, name, n, publishers, settings.PayloadBytes)
            : null;
        using var profiled = figure is null ? null : allocations?.Record($"{figure.Label} [baseline]", n);
        var commanded = figure is null || commands is null ? null : await commands.StartAsync($"{figure.Label} [baseline]", n);
        var cpu = await _cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        Task<PublisherCost> publisher = external is not null ? external.PublishAsync()
            : publishers == 0
            ? InProcess(Task.Run(async () =>
            {
                foreach (var chunk in chunks) await queue.PublishAsync(chunk);
            }))
            : InProcess(Task.WhenAll(chunks.Select(lane => Task.Run(async () =>
            {
                foreach (var payload in lane) await queue.PublishAsync(payload);
            }))));
        await Deadline.WithinAsync(Task.WhenAll(done.Task, publisher), settings.RunTimeout, $"baseline end to end ({name})");
        var rate = n / Stopwatch.GetElapsedTime(started).TotalSeconds;
        figure?.AddCpu(Side.Baseline, WithPublisher(CpuMeter.PerDelivery(cpu, await _cpu.ReadAsync(), n), await publisher, n));
        // The profiles' windows end with the measured run, before the checks below.
        profiled?.Dispose();
        if (commanded is not null) await commanded.EndAsync();

        await queue.DisposeAsync();
        var left = await db.ListLengthAsync(queue.Ready) + await db.ListLengthAsync(queue.Unacked);
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        if (left != 0 || Interlocked.Read(ref lost) != 0)
            throw new InvalidOperationException($"baseline end to end {name}: {left} left in Redis, {lost} acks found nothing; the figure would be wrong");
        return rate;
    }
}
