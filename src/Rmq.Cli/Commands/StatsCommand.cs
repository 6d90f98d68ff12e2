using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq stats</c>: every queue's counts as a table (Go rmq's overview), once or continuously.</summary>
internal static class StatsCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var watch = new Option<bool>("--watch", "-w") { Description = "Redraw the table until Ctrl-C." };
        var interval = new Option<double>("--interval") { Description = "Seconds between redraws with --watch.", DefaultValueFactory = _ => 2 };
        var condensed = new Option<bool>("--condensed") { Description = "One row per queue, without the connection rows." };
        var json = new Option<bool>("--json") { Description = "Print the stats as JSON (as /stats.json) instead of a table." };
        var command = new Command("stats", "Show every queue: ready, rejected, consuming connections, unacked, consumers.") { watch, interval, condensed, json };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var stats = session.Grains.GetGrain<IStatsGrain>(0);
            if (parse.GetValue(json))
            {
                console.WriteLine(JsonSerializer.Serialize(await stats.GetOverview(), Json));
                return ExitCodes.Success;
            }
            var layoutCondensed = parse.GetValue(condensed);
            if (!parse.GetValue(watch))
            {
                console.Write(StatsTable.Render(await stats.GetOverview(), layoutCondensed));
                return ExitCodes.Success;
            }
            var period = TimeSpan.FromSeconds(parse.GetValue(interval));
            var table = StatsTable.Render(await stats.GetOverview(), layoutCondensed);
            try
            {
                await console.Live(table).StartAsync(async live =>
                {
                    while (true)
                    {
                        await Task.Delay(period, cancellationToken);
                        live.UpdateTarget(StatsTable.Render(await stats.GetOverview(), layoutCondensed));
                    }
                });
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C is how --watch ends.
            }
            return ExitCodes.Success;
        }, parse =>
        {
            var seconds = parse.GetValue(interval);
            if (!(seconds >= 0.1)) throw new UsageException($"--interval is {seconds}; it must be at least 0.1 seconds.");
        });
        return command;
    }
}
