using Rmq.Tests.Infrastructure;
using System.Diagnostics;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using Rmq.Bench.Reporting;
using Rmq.Bench.Scenarios;
using Spectre.Console;
using Rmq.Redis.Servers;
using StackExchange.Redis;

namespace Rmq.Bench;

/// <summary>
/// One run: a private redis-server, the ceiling on a raw multiplexer, then an in-process silo and
/// client for the publish, end-to-end, latency and memory scenarios (each side by side with the
/// rmq-style baseline), then the table and the results files.
/// </summary>
internal sealed class BenchRunner(BenchSettings settings)
{
    public async Task<int> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = ResultsTable.Width; // a log file gets the full table
        var machine = await MachineInfo.CollectAsync();
        AnsiConsole.MarkupLine($"[bold]Rmq benchmark[/] — {machine.Nproc} cores, {Markup.Escape(machine.RedisServerVersion)}, .NET {Markup.Escape(machine.DotnetSdkVersion)}");
        AnsiConsole.MarkupLine(Markup.Escape(ResultsTable.SettingsLine(settings)));

        // Garnet's flags are the ones Rmq needs (docs/servers.md): without --lua-transaction-mode its scripts are not atomic.
        RedisServer redisServer;
        try
        {
            redisServer = settings.IsGarnet
                ? await RedisServer.StartGarnetAsync("--lua", "--lua-transaction-mode")
                : await RedisServer.StartAsync();
        }
        catch (InvalidOperationException e)
        {
            // The server is not installed or does not start: its own message says which and how to install it.
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            return 2;
        }
        await using var redis = redisServer;
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint + ",allowAdmin=true");
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        machine = machine with { ServerUnderTest = RedisServerInfo.Parse(await server.InfoRawAsync("server") ?? "", redis.Endpoint).Display };
        AnsiConsole.MarkupLine($"private {Markup.Escape(machine.ServerUnderTest)} pid {redis.ProcessId} on {redis.Endpoint}");
        var db = multiplexer.GetDatabase();
        var repetitions = new Repetitions(settings.Repetitions, Progress);
        using var allocations = settings.AllocationProfile ? new AllocationProfile() : null;
        var commands = settings.CommandProfile ? new CommandProfile(server) : null;
        var figures = new List<Figure>();

        CeilingScenario? ceiling = null;
        if (settings.Runs("ceiling"))
        {
            ceiling = new CeilingScenario(db, settings, Progress);
            await ceiling.RunAsync();
            figures.AddRange(ceiling.Figures);
        }

        MemoryReport? memory = null;
        BigQueueReport? bigQueue = null;
        BigScheduledReport? bigScheduled = null;
        if (new[] { "publish", "e2e", "latency", "scheduled", "idle", "memory", "bigqueue", "bigscheduled" }.Any(settings.Runs))
        {
            Progress("starting the silo and the client");
            await using var rmq = await RmqHost.StartAsync(redis.Endpoint);
            using var acks = new AckMeter();
            var e2e = new EndToEndScenario(rmq, db, acks, new CpuMeter(redis.ProcessId), settings, repetitions, ceiling, allocations, commands);
            if (settings.Warmup) await WarmUpAsync(e2e);

            if (settings.Runs("publish"))
                figures.AddRange(await new PublishScenario(rmq, db, new CpuMeter(redis.ProcessId), settings, repetitions, ceiling).RunAsync());
            if (settings.Runs("e2e"))
                figures.AddRange(await e2e.RunAsync());
            if (settings.Runs("latency"))
            {
                foreach (var rate in settings.LatencyRates)
                {
                    var latency = new LatencyScenario(rmq, db, settings, rate, Progress);
                    await latency.RunAsync();
                    figures.AddRange(latency.Figures);
                }
            }
            if (settings.Runs("scheduled"))
            {
                var scheduled = new ScheduledScenario(rmq, settings, Progress);
                await scheduled.RunAsync();
                figures.AddRange(scheduled.Figures);
            }
            if (settings.Runs("idle"))
            {
                var idle = new IdleScenario(rmq, db, new CpuMeter(redis.ProcessId), settings, Progress);
                await idle.RunAsync();
                figures.AddRange(idle.Figures);
            }
            if (settings.Runs("memory"))
                memory = await new MemoryScenario(rmq, db, settings, Progress).RunAsync();
            if (settings.Runs("bigqueue"))
                bigQueue = await new BigQueueScenario(rmq, db, settings, Progress).RunAsync();
            if (settings.Runs("bigscheduled"))
                bigScheduled = await new BigScheduledScenario(rmq, db, settings, Progress).RunAsync();
        }

        var results = new BenchResults(machine, settings, figures, memory, Goal.Evaluate(figures, memory, bigScheduled, settings.PollInterval), clock.Elapsed.TotalSeconds, bigQueue, bigScheduled);
        AnsiConsole.WriteLine();
        ResultsTable.Write(AnsiConsole.Console, results);
        if (allocations is not null) AllocationProfileTable.Write(AnsiConsole.Console, allocations);
        if (commands is not null) CommandProfileTable.Write(AnsiConsole.Console, commands);
        var (json, text) = ResultsFiles.Write(settings, results);
        AnsiConsole.MarkupLine($"results: [blue]{Markup.Escape(text)}[/] and [blue]{Markup.Escape(json)}[/]");
        return 0;
    }

    /// <summary>JIT and connection warm-up, not recorded: a short end-to-end run of each kind on both sides.</summary>
    private async Task WarmUpAsync(EndToEndScenario e2e)
    {
        var n = Math.Max(1000, settings.Messages / 10);
        var consumers = settings.Consumers.DefaultIfEmpty(1).Max();
        Progress($"warm-up: {n:N0} deliveries end to end, each kind, both sides (not recorded)");
        await e2e.BaselineAsync(consumers, 0, -1, n);
        await e2e.RmqAsync(consumers, 0, -1, n);
        await e2e.BaselineAsync(consumers, 0, -3, n / 10, publishers: 10);
        await e2e.RmqAsync(consumers, 0, -3, n / 10, publishers: 10);
        if (settings.BatchConsumers > 0)
        {
            await e2e.BaselineAsync(settings.BatchConsumers, settings.BatchSize, -2, n);
            await e2e.RmqAsync(settings.BatchConsumers, settings.BatchSize, -2, n);
        }
    }

    private static void Progress(string message) =>
        AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {Markup.Escape(message)}");
}
