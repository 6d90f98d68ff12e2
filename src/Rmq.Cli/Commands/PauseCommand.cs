using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq pause|resume &lt;queue&gt;</c>: pauses or resumes a consuming queue (<see cref="IQueueGrain.Pause"/>).</summary>
internal static class PauseCommand
{
    public static Command CreatePause() => Create("pause",
        "Pause a consuming queue: nothing more is fetched or handed out (calls in flight finish; prefetched deliveries go back to the front of ready) until 'rmq resume'. Persisted.",
        q => q.Pause(), "paused");

    public static Command CreateResume() => Create("resume", "Resume a paused queue.", q => q.Resume(), "resumed");

    private static Command Create(string name, string description, Func<IQueueGrain, Task> change, string done)
    {
        var queue = Arguments.Queue();
        var command = new Command(name, description) { queue };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            // Not consuming: the grain's InvalidOperationException says to StartConsuming first (exit code 1).
            await change(session.Grains.GetGrain<IQueueGrain>(queueName));
            console.WriteLine($"{done} '{queueName}'");
            return ExitCodes.Success;
        });
        return command;
    }
}
