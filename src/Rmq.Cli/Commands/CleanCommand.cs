using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq clean</c>: one pass of the cluster's cleaner now.</summary>
internal static class CleanCommand
{
    public static Command Create()
    {
        var command = new Command("clean", "Run the cleaner now: unacked deliveries of dead connections (Rmq's and Go rmq's) go back to ready.");
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var returned = await session.Grains.GetGrain<ICleanerGrain>(0).Clean();
            console.WriteLine($"returned {returned} unacked {(returned == 1 ? "delivery" : "deliveries")} of dead connections to ready");
            return ExitCodes.Success;
        });
        return command;
    }
}
