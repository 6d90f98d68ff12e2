using System.Diagnostics;
using Rmq.Bench.Baseline;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// Publish→consume latency at a fixed, moderate rate: one publisher publishes one payload at a time on
/// a schedule (<see cref="BenchSettings.LatencyRate"/> per second), each payload carrying the
/// timestamp taken just before its publish call; the consumer reads the clock when it receives it.
/// Same process, same clock. p50, p99 and max of each run; each figure is the median over runs.
/// </summary>
internal sealed class LatencyScenario(RmqHost rmq, IDatabase db, BenchSettings settings, int rate, Action<string> progress)
{
    // The 1,000/s figures keep their historical ids (latency.p50 …); other rates carry the rate.
    private readonly string _id = rate == 1000 ? "latency" : $"latency.{rate}";

    public Figure P50 => _p50 ??= new($"{_id}.p50", "Latency", $"publish→consume p50 at {rate:N0}/s", "ms", false);
    public Figure P99 => _p99 ??= new($"{_id}.p99", "Latency", $"publish→consume p99 at {rate:N0}/s", "ms", false);
    public Figure Max => _max ??= new($"{_id}.max", "Latency", $"publish→consume max at {rate:N0}/s", "ms", false);

    private Figure? _p50, _p99, _max;

    public IEnumerable<Figure> Figures => [P50, P99, Max];

    private int Count => (int)(rate * settings.LatencyDuration.TotalSeconds);

    public async Task RunAsync()
    {
        var samples = new Samples();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            foreach (var side in (Side[])[Side.Baseline, Side.Rmq])
            {
                var latencies = side == Side.Rmq ? await RmqAsync(rep) : await BaselineAsync(rep);
                samples.Add(P50, side, Stats.Percentile(latencies, 50));
                samples.Add(P99, side, Stats.Percentile(latencies, 99));
                samples.Add(Max, side, latencies.Max());
                progress($"latency {rate:N0}/s [{side}] rep {rep + 1}/{settings.Repetitions}: p50 {samples.Last(P50, side):0.00} ms, " +
                         $"p99 {samples.Last(P99, side):0.00} ms, max {samples.Last(Max, side):0.00} ms");
            }
        }
        samples.Complete();
    }

    private async Task<double[]> RmqAsync(int rep)
    {
        var name = $"bench-latency-{rep}-{Guid.NewGuid():N}"[..30];
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
        for (var i = 0; i < settings.LatencyConsumers; i++)
            await queue.AddConsumer("bench", rmq.Grains.GetGrain<IBenchConsumerGrain>($"c{i}"));
        var run = rmq.Probe.Begin(Count, recordLatency: true);
        // Published as producers should: straight to Redis with the client library's publisher.
        var direct = rmq.Publisher.Queue(name);
        await Deadline.WithinAsync(PaceAsync(() => direct.Publish(LatencyPayload.Create(Stopwatch.GetTimestamp(), settings.PayloadBytes))),
            settings.RunTimeout, "Rmq latency publisher");
        await Deadline.WithinAsync(run.AllConsumed, settings.RunTimeout, "Rmq latency consumers");
        await queue.Destroy();
        return run.LatenciesMs();
    }

    private async Task<double[]> BaselineAsync(int rep)
    {
        var name = $"base-latency-{rep}";
        var queue = new RmqStyleQueue(db, name, $"base-conn-latency-{rep}", settings.PrefetchLimit, settings.PollInterval);
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        var run = new ProbeRun(Count, recordLatency: true);
        queue.StartConsuming();
        for (var i = 0; i < settings.LatencyConsumers; i++)
        {
            queue.AddConsumer(async payload =>
            {
                run.Consumed((byte[])payload!);
                await queue.AckAsync(payload);
            });
        }
        await Deadline.WithinAsync(PaceAsync(() => queue.PublishAsync(LatencyPayload.CreateBytes(Stopwatch.GetTimestamp(), settings.PayloadBytes))),
            settings.RunTimeout, "baseline latency publisher");
        await Deadline.WithinAsync(run.AllConsumed, settings.RunTimeout, "baseline latency consumers");
        await queue.DisposeAsync();
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        return run.LatenciesMs();
    }

    /// <summary>
    /// Calls <paramref name="publish"/> <see cref="Count"/> times on a fixed schedule; a late call does
    /// not shift the schedule, so the average rate holds.
    /// </summary>
    private async Task PaceAsync(Func<Task> publish)
    {
        var interval = Stopwatch.Frequency / (double)rate;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Count; i++)
        {
            var due = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait >= TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            await publish();
        }
    }
}
