using System.CommandLine;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq drain</c>: removes deliveries from the front of ready and prints their payloads, one per line.</summary>
internal static class DrainCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue("The queue to drain.");
        var count = Arguments.Count("How many deliveries to take at most.", 1, 1);
        var command = new Command("drain", "Remove deliveries from the front of ready and print their payloads (headers stripped). They are gone afterwards.") { queue, count };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var n = parse.GetValue(count);
            var payloads = await session.Grains.GetGrain<IQueueGrain>(name).Drain(n);
            // Payloads go to stdout for pipes; the summary goes to stderr so it never mixes with them.
            foreach (var payload in payloads) Console.Out.WriteLine(payload);
            await Console.Error.WriteLineAsync($"drained {payloads.Count} of {n} requested from '{name}'");
            return ExitCodes.Success;
        });
        return command;
    }
}
