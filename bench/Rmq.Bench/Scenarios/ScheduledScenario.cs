using System.Globalization;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// Due-time precision of scheduled deliveries (issue 11: within 10 ms at 1,000 due/s). Deliveries fall
/// due at <see cref="BenchSettings.ScheduledRate"/> per second, evenly spaced, for
/// <see cref="BenchSettings.ScheduledDuration"/>; each is scheduled with <c>PublishAt</c>
/// <see cref="Lead"/> before its due time and carries its due time (unix ms) in the payload. Lateness is
/// the system clock when it is received minus that due time: bench, silo and redis-server run on this
/// machine, and Redis's <c>TIME</c>, the scheduler's clock, is the same clock. Three ways, one figure set
/// each (no rmq baseline: Go rmq has no scheduling):
/// <list type="bullet">
/// <item><c>grain</c>: <c>RmqMessage.At</c> through <c>IQueueGrain.AsProducer()</c> through the Orleans client, consumed by consumer
/// grains — what an application sees (scheduler move + wake + fetch + dispatch).</item>
/// <item><c>direct</c>: the same with the client library's direct publisher (<c>QueuePublisher</c>, the same <c>IRmqProducer</c>),
/// which does not arm the grain's scheduler: the scheduler finds them by reading the ZSET after each run.</item>
/// <item><c>ready</c>: <c>RmqMessage.At</c> through <c>IQueueGrain.AsProducer()</c>, nothing in Rmq consumes; a blocking pop on the
/// ready list (what a Go rmq consumer's <c>RPOPLPUSH</c> would find there, without its poll interval)
/// receives them — the scheduler's move alone, told apart from consuming.</item>
/// </list>
/// </summary>
internal sealed class ScheduledScenario(RmqHost rmq, BenchSettings settings, Action<string> progress)
{
    /// <summary>How long before its due time each delivery is scheduled.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromSeconds(1.5);

    /// <summary>The goal of issue 11.</summary>
    public const double GoalMs = 10;

    public static readonly string[] Ways = ["grain", "direct", "ready"];

    private readonly Dictionary<string, (Figure P50, Figure P99, Figure Max, Figure Within)> _figures = Ways.ToDictionary(w => w, w =>
    {
        var what = w switch
        {
            "grain" => "PublishAt via grain → consumer grain",
            "direct" => "PublishAt via RmqPublisher → consumer grain",
            _ => "PublishAt via grain → in ready (no consumer)",
        };
        var rate = settings.ScheduledRate.ToString("N0", CultureInfo.InvariantCulture);
        return (new Figure($"scheduled.{w}.p50", "Scheduled (no rmq baseline: Go rmq cannot schedule)", $"lateness p50, {what}, {rate} due/s", "ms", false),
            new Figure($"scheduled.{w}.p99", "Scheduled (no rmq baseline: Go rmq cannot schedule)", $"lateness p99, {what}, {rate} due/s", "ms", false),
            new Figure($"scheduled.{w}.max", "Scheduled (no rmq baseline: Go rmq cannot schedule)", $"lateness max, {what}, {rate} due/s", "ms", false),
            new Figure($"scheduled.{w}.within10", "Scheduled (no rmq baseline: Go rmq cannot schedule)", $"within {GoalMs:0} ms of due, {what}", "%", true));
    });

    public IEnumerable<Figure> Figures => _figures.Values.SelectMany(f => new[] { f.P50, f.P99, f.Max, f.Within });

    private int Count => (int)(settings.ScheduledRate * settings.ScheduledDuration.TotalSeconds);

    public async Task RunAsync()
    {
        var samples = Figures.ToDictionary(f => f, _ => new List<double>());
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            foreach (var way in Ways)
            {
                var (lateness, publishedLate) = await RunOnceAsync(way, rep);
                var (p50, p99, max, within) = _figures[way];
                samples[p50].Add(Stats.Percentile(lateness, 50));
                samples[p99].Add(Stats.Percentile(lateness, 99));
                samples[max].Add(lateness.Max());
                samples[within].Add(100.0 * lateness.Count(l => l <= GoalMs) / lateness.Length);
                var behind = publishedLate > 0 ? $" ({publishedLate} scheduled after their due time: the publisher fell behind)" : "";
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"scheduled {way} rep {rep + 1}/{settings.Repetitions}: {lateness.Length:N0} due at {settings.ScheduledRate:N0}/s, lateness p50 {samples[p50][^1]:0.00} ms, " +
                    $"p99 {samples[p99][^1]:0.00} ms, max {samples[max][^1]:0.00} ms, min {lateness.Min():0.00} ms, within {GoalMs:0} ms {samples[within][^1]:0.00}%{behind}"));
            }
        }
        foreach (var (figure, values) in samples) figure.Results[Side.Rmq] = Stats.Of(values);
    }

    private async Task<(double[] Lateness, int PublishedLate)> RunOnceAsync(string way, int rep)
    {
        var name = $"bench-sched-{way}-{rep}-{Guid.NewGuid():N}"[..32];
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        var run = way == "ready"
            ? new ProbeRun(Count, recordLatency: true, StampClock.DueUnixMilliseconds)
            : rmq.Probe.Begin(Count, recordLatency: true, StampClock.DueUnixMilliseconds);
        await using var reader = way == "ready" ? await ReadyReader.StartAsync(rmq.RedisEndpoint, name, run) : null;
        if (reader is null)
        {
            await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
            for (var i = 0; i < settings.LatencyConsumers; i++)
                await queue.AddConsumer("bench", rmq.Grains.GetGrain<IBenchConsumerGrain>($"s{i}"));
        }
        var direct = rmq.Publisher.Queue(name);
        IRmqProducer producer = way == "direct" ? direct : queue.AsProducer();
        Func<string, DateTimeOffset, Task> publish = (p, due) => producer.Publish(RmqMessage.Text(p).At(due));

        // Due times: one every 1000/rate ms from `first`, each scheduled Lead before it. A publish that
        // falls behind by more than Lead publishes at once (its lateness then counts against us too).
        var first = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + (long)Lead.TotalMilliseconds;
        var publishedLate = 0;
        async Task PublishAllAsync()
        {
            for (var i = 0; i < Count; i++)
            {
                var due = first + (long)(i * 1000.0 / settings.ScheduledRate);
                var wait = TimeSpan.FromMilliseconds(due - Lead.TotalMilliseconds - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                if (wait >= TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
                if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= due) publishedLate++;
                await publish(Payload(due, i), DateTimeOffset.FromUnixTimeMilliseconds(due));
            }
        }
        var limit = settings.ScheduledDuration + Lead + settings.RunTimeout;
        await Deadline.WithinAsync(PublishAllAsync(), limit, $"scheduled {way}: publishing");
        await Deadline.WithinAsync(run.AllConsumed, settings.RunTimeout, $"scheduled {way}: receiving every due delivery");
        var left = await queue.GetStats();
        if (left.ScheduledCount != 0 || left.ReadyCount != 0)
            throw new InvalidOperationException($"scheduled {way}: {left.ScheduledCount} still scheduled and {left.ReadyCount} ready after all were received");
        await queue.Destroy();
        return (run.LatenciesMs(), publishedLate);
    }

    /// <summary>Distinct payloads (acks remove by value): the due time, then the index.</summary>
    private string Payload(long due, int index)
    {
        var text = due.ToString("D20", CultureInfo.InvariantCulture) + "|" + index.ToString(CultureInfo.InvariantCulture) + "|";
        return text.Length >= settings.PayloadBytes ? text : text.PadRight(settings.PayloadBytes, 'x');
    }

    /// <summary>
    /// Pops the ready list of a queue nobody in Rmq consumes, on a connection of its own (<c>BLMPOP</c>
    /// blocks it), and reports each element to the run the moment Redis hands it over.
    /// </summary>
    private sealed class ReadyReader : IAsyncDisposable
    {
        private readonly ConnectionMultiplexer _redis;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private ReadyReader(ConnectionMultiplexer redis, RedisKey ready, ProbeRun run)
        {
            _redis = redis;
            _loop = Task.Run(() => LoopAsync(redis.GetDatabase(), ready, run));
        }

        public static async Task<ReadyReader> StartAsync(string endpoint, string queue, ProbeRun run) =>
            new(await ConnectionMultiplexer.ConnectAsync(endpoint), new RedisKeys(KeyDialect.Classic).Ready(queue), run);

        private async Task LoopAsync(IDatabase db, RedisKey ready, ProbeRun run)
        {
            while (!_stop.IsCancellationRequested && run.ConsumedCount < run.Expected)
            {
                // BLMPOP 1 1 ready RIGHT COUNT 100: nil after 1 s, else [key, [elements…]] oldest first.
                var reply = await db.ExecuteAsync("BLMPOP", 1, 1, ready, "RIGHT", "COUNT", 100);
                if (reply.IsNull) continue;
                foreach (var element in (RedisResult[])((RedisResult[])reply!)[1]!)
                    run.Consumed(((byte[])element!).AsSpan());
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)); }
            catch (TimeoutException) { }
            await _redis.DisposeAsync();
            _stop.Dispose();
        }
    }
}
