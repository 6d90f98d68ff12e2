using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq consuming &lt;queue&gt; --prefetch N --poll MS</c> changes a consuming queue's settings
/// (<see cref="IQueueGrain.UpdateConsuming"/>); <c>rmq remove-consumer &lt;queue&gt; &lt;name&gt;</c> removes
/// one consumer (<see cref="IQueueGrain.RemoveConsumer"/>).
/// </summary>
internal static class ConsumingCommand
{
    public static Command CreateUpdate()
    {
        var queue = Arguments.Queue();
        var prefetch = new Option<int>("--prefetch") { Description = "The prefetch limit (at least 1).", Required = true };
        var poll = new Option<int>("--poll") { Description = "The poll interval in milliseconds (at least 1).", Required = true };
        var command = new Command("consuming",
            "Change a consuming queue's prefetch limit and poll interval (persisted). Calls in flight finish, prefetched deliveries go back to ready, then consuming goes on with the new settings.")
        {
            queue, prefetch, poll,
        };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            // Out of range or not consuming: the grain's exception says what to do (exit code 1).
            await session.Grains.GetGrain<IQueueGrain>(queueName).UpdateConsuming(parse.GetValue(prefetch), TimeSpan.FromMilliseconds(parse.GetValue(poll)));
            console.WriteLine($"'{queueName}' consumes with prefetch {parse.GetValue(prefetch)} and poll {parse.GetValue(poll)} ms");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command CreateRemoveConsumer()
    {
        var queue = Arguments.Queue();
        var name = new Argument<string>("consumer") { Description = "The consumer's registered name (as 'rmq stats' lists it, <tag>-<6 alphanumerics>)." };
        var command = new Command("remove-consumer",
            "Remove one consumer of a consuming queue: its delivery in flight finishes, the other consumers go on, and no later activation restores it.")
        {
            queue, name,
        };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            var consumer = parse.GetValue(name)!;
            if (!await session.Grains.GetGrain<IQueueGrain>(queueName).RemoveConsumer(consumer))
            {
                console.MarkupLineInterpolated($"[red]'{queueName}' has no consumer '{consumer}'[/]");
                return ExitCodes.Failed;
            }
            console.WriteLine($"removed consumer '{consumer}' of '{queueName}'");
            return ExitCodes.Success;
        });
        return command;
    }
}
