using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq purge ready|rejected</c>: deletes a queue's ready or rejected list.</summary>
internal static class PurgeCommand
{
    public static Command Create()
    {
        var command = new Command("purge", "Delete every delivery in a queue's ready or rejected list.");
        command.Add(Sub("ready", "Delete every ready delivery of the queue.", q => q.PurgeReady()));
        command.Add(Sub("rejected", "Delete every rejected delivery of the queue.", q => q.PurgeRejected()));
        return command;
    }

    private static Command Sub(string list, string description, Func<IQueueGrain, Task<long>> purge)
    {
        var queue = Arguments.Queue();
        var command = new Command(list, description) { queue };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var purged = await purge(session.Grains.GetGrain<IQueueGrain>(name));
            console.WriteLine($"purged {purged} {list} {(purged == 1 ? "delivery" : "deliveries")} from '{name}'");
            return ExitCodes.Success;
        });
        return command;
    }
}
