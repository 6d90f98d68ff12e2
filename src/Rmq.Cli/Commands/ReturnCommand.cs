using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq return rejected|unacked</c>: moves deliveries back to the end of ready.</summary>
internal static class ReturnCommand
{
    public static Command Create()
    {
        var command = new Command("return", "Move deliveries back to the end of a queue's ready list.");
        command.Add(Sub("rejected", "Move rejected deliveries (oldest rejection first) back to ready.", (q, n) => q.ReturnRejected(n)));
        command.Add(Sub("unacked", "Move the unacked deliveries of dead connections (heartbeat expired) back to ready; live connections are never touched.", (q, n) => q.ReturnUnacked(n)));
        return command;
    }

    private static Command Sub(string list, string description, Func<IQueueGrain, long, Task<long>> move)
    {
        var queue = Arguments.Queue();
        var count = Arguments.Count("How many deliveries to move at most (default: all).", long.MaxValue, 0);
        var command = new Command(list, description) { queue, count };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var moved = await move(session.Grains.GetGrain<IQueueGrain>(name), parse.GetValue(count));
            console.WriteLine($"returned {moved} {list} {(moved == 1 ? "delivery" : "deliveries")} of '{name}' to ready");
            return ExitCodes.Success;
        });
        return command;
    }
}
