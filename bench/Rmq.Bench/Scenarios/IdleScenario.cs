using System.Diagnostics;
using Rmq.Bench.Baseline;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Hosting.Declaring;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// What a consuming queue costs with nothing to do (issue 21: under 1 % of a core, without a busy-polling loop): one
/// queue consuming with <see cref="BenchSettings.LatencyConsumers"/> consumers at <see cref="BenchSettings.PollInterval"/>,
/// nothing published (and again at the default poll, <see cref="DefaultPoll"/>, which most queues run with), CPU read over <see cref="BenchSettings.IdleDuration"/> after two settling seconds (what the previous phase left running, collections and tiered JIT, dies down). The process holds
/// the silo, the client and the harness on every side, so the floor — the same process with no queue consuming — is a
/// row of its own, and each side's figure reads against it. Redis's CPU is what the polling costs the server.
/// </summary>
internal sealed class IdleScenario(RmqHost rmq, IDatabase db, CpuMeter cpu, BenchSettings settings, Action<string> progress)
{
    /// <summary>Percent of one core, the unit of every row here.</summary>
    private const string Unit = "%";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public Figure Process { get; } = new("idle.process", "Idle",
        $"a consuming queue at poll {settings.PollInterval.TotalMilliseconds:0} ms, nothing published: process CPU, % of a core", Unit, false);
    public Figure Server { get; } = new("idle.redis", "Idle",
        $"a consuming queue at poll {settings.PollInterval.TotalMilliseconds:0} ms, nothing published: server CPU, % of a core", Unit, false);
    public Figure Floor { get; } = new("idle.floor", "Idle", "nothing consuming (the floor: silo, client, harness): process CPU, % of a core", Unit, false);

    /// <summary>The poll a queue gets when its declaration names none (<see cref="RmqQueueBuilder.DefaultPoll"/>): what an idle queue costs as most run.</summary>
    public static readonly TimeSpan DefaultPoll = RmqQueueBuilder.DefaultPoll;

    public Figure ProcessAtDefaultPoll { get; } = new("idle.process.defaultpoll", "Idle",
        $"a consuming queue at the default poll ({DefaultPoll.TotalMilliseconds:0} ms), nothing published: process CPU, % of a core", Unit, false);
    public Figure ServerAtDefaultPoll { get; } = new("idle.redis.defaultpoll", "Idle",
        $"a consuming queue at the default poll ({DefaultPoll.TotalMilliseconds:0} ms), nothing published: server CPU, % of a core", Unit, false);

    public IEnumerable<Figure> Figures => [Process, Server, ProcessAtDefaultPoll, ServerAtDefaultPoll, Floor];

    public async Task RunAsync()
    {
        var samples = new Samples();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var (floor, _) = await MeasureAsync();
            samples.Add(Floor, Side.Rmq, floor);
            foreach (var (poll, process, server) in new[] { (settings.PollInterval, Process, Server), (DefaultPoll, ProcessAtDefaultPoll, ServerAtDefaultPoll) })
            {
                // Run at the default poll already (--poll-ms 100): the second pass would measure the same again.
                if (process == ProcessAtDefaultPoll && settings.PollInterval == DefaultPoll) continue;
                foreach (var side in (Side[])[Side.Baseline, Side.Rmq])
                {
                    var (processCpu, serverCpu) = side == Side.Rmq ? await RmqAsync(rep, poll) : await BaselineAsync(rep, poll);
                    samples.Add(process, side, processCpu);
                    samples.Add(server, side, serverCpu);
                    progress($"idle [{side}] poll {poll.TotalMilliseconds:0} ms rep {rep + 1}/{settings.Repetitions}: process {processCpu:0.00}% of a core (floor {floor:0.00}%), server {serverCpu:0.00}%");
                }
            }
        }
        samples.Complete();
    }

    private async Task<(double Process, double Server)> RmqAsync(int rep, TimeSpan poll)
    {
        var name = $"bench-idle-{rep}-{Guid.NewGuid():N}"[..30];
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(settings.PrefetchLimit, poll);
        for (var i = 0; i < settings.LatencyConsumers; i++)
            await queue.AddConsumer("bench", rmq.Grains.GetGrain<IBenchConsumerGrain>($"idle{i}"));
        var measured = await MeasureAsync();
        await queue.Destroy();
        return measured;
    }

    private async Task<(double Process, double Server)> BaselineAsync(int rep, TimeSpan poll)
    {
        var queue = new RmqStyleQueue(db, $"base-idle-{rep}", $"base-conn-idle-{rep}", settings.PrefetchLimit, poll);
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        queue.StartConsuming();
        for (var i = 0; i < settings.LatencyConsumers; i++) queue.AddConsumer(payload => queue.AckAsync(payload));
        var measured = await MeasureAsync();
        await queue.DisposeAsync();
        await db.KeyDeleteAsync([queue.Ready, queue.Unacked]);
        return measured;
    }

    /// <summary>CPU of this process and of the server over the idle window, each as percent of one core.</summary>
    private async Task<(double Process, double Server)> MeasureAsync()
    {
        await Task.Delay(Settle);
        var before = await cpu.ReadAsync();
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(settings.IdleDuration);
        var after = await cpu.ReadAsync();
        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return ((after.Process - before.Process).TotalSeconds / wall * 100, (after.RedisSeconds - before.RedisSeconds) / wall * 100);
    }
}
