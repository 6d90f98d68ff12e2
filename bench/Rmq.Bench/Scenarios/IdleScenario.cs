using System.Diagnostics;
using Rmq.Bench.Baseline;
using Rmq.Bench.Grains;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// What a consuming queue costs with nothing to do (issue 21: under 1 % of a core, without a busy-polling loop): one
/// queue consuming with <see cref="BenchSettings.LatencyConsumers"/> consumers at <see cref="BenchSettings.PollInterval"/>,
/// nothing published, CPU read over <see cref="BenchSettings.IdleDuration"/> after two settling seconds (what the previous phase left running, collections and tiered JIT, dies down). The process holds
/// the silo, the client and the harness on every side, so the floor — the same process with no queue consuming — is a
/// row of its own, and each side's figure reads against it. Redis's CPU is what the polling costs the server.
/// </summary>
internal sealed class IdleScenario(RmqHost rmq, IDatabase db, CpuMeter cpu, BenchSettings settings, Action<string> progress)
{
    /// <summary>Percent of one core, the unit of every row here.</summary>
    private const string Unit = "%";

    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public Figure Process { get; } = new("idle.process", "Idle", "a consuming queue, nothing published: process CPU, % of a core", Unit, false);
    public Figure Server { get; } = new("idle.redis", "Idle", "a consuming queue, nothing published: server CPU, % of a core", Unit, false);
    public Figure Floor { get; } = new("idle.floor", "Idle", "nothing consuming (the floor: silo, client, harness): process CPU, % of a core", Unit, false);

    public IEnumerable<Figure> Figures => [Process, Server, Floor];

    public async Task RunAsync()
    {
        var samples = new Samples();
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var (floor, _) = await MeasureAsync();
            samples.Add(Floor, Side.Rmq, floor);
            foreach (var side in (Side[])[Side.Baseline, Side.Rmq])
            {
                var (process, server) = side == Side.Rmq ? await RmqAsync(rep) : await BaselineAsync(rep);
                samples.Add(Process, side, process);
                samples.Add(Server, side, server);
                progress($"idle [{side}] rep {rep + 1}/{settings.Repetitions}: process {process:0.00}% of a core (floor {floor:0.00}%), server {server:0.00}%");
            }
        }
        samples.Complete();
    }

    private async Task<(double Process, double Server)> RmqAsync(int rep)
    {
        var name = $"bench-idle-{rep}-{Guid.NewGuid():N}"[..30];
        var queue = rmq.Grains.GetGrain<IQueueGrain>(name);
        await queue.StartConsuming(settings.PrefetchLimit, settings.PollInterval);
        for (var i = 0; i < settings.LatencyConsumers; i++)
            await queue.AddConsumer("bench", rmq.Grains.GetGrain<IBenchConsumerGrain>($"idle{i}"));
        var measured = await MeasureAsync();
        await queue.Destroy();
        return measured;
    }

    private async Task<(double Process, double Server)> BaselineAsync(int rep)
    {
        var queue = new RmqStyleQueue(db, $"base-idle-{rep}", $"base-conn-idle-{rep}", settings.PrefetchLimit, settings.PollInterval);
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
