using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq dead-letters &lt;queue&gt; [--handler type/key] [--remove]</c>: shows the grain a queue calls for each dead letter,
/// sets it by its grain id, or removes it (<see cref="IQueueGrain.SetDeadLetterHandler"/>).
/// </summary>
internal static class DeadLettersCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue();
        var handler = new Option<string?>("--handler")
        {
            Description = "The handler's grain id, as Orleans writes it: its grain type, '/', its key (orderdeadletters/orders). The grain must implement IDeadLetterHandlerGrain.",
        };
        var remove = new Option<bool>("--remove") { Description = "Remove the handler, and the dead letters it was not yet called for (they stay in rejected)." };
        var command = new Command("dead-letters", "Show the grain a queue calls for each dead letter; with --handler, set it (persisted); with --remove, remove it.")
        {
            queue, handler, remove,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(remove) && result.GetValue(handler) is not null)
                result.AddError("--remove takes no other option: remove the handler, or set one, not both.");
            if (result.GetValue(handler) is { } text && !IsGrainId(text))
                result.AddError($"--handler: '{text}' is not a grain id: write the grain type, '/', and the key (orderdeadletters/orders).");
        });
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            var grain = session.Grains.GetGrain<IQueueGrain>(queueName);
            if (parse.GetValue(remove))
            {
                await grain.SetDeadLetterHandler(null);
                console.WriteLine($"removed the dead-letter handler of '{queueName}'");
                return ExitCodes.Success;
            }
            if (parse.GetValue(handler) is { } text)
            {
                await grain.SetDeadLetterHandler(session.Grains.GetGrain<IDeadLetterHandlerGrain>(GrainId.Parse(text)));
                console.WriteLine($"dead letters of '{queueName}' go to {text}");
                return ExitCodes.Success;
            }
            var current = await grain.GetDeadLetterHandler();
            console.WriteLine(current is null ? $"'{queueName}' has no dead-letter handler" : $"dead letters of '{queueName}' go to {current.GetGrainId()}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsGrainId(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < text.Length - 1 && !text.Any(char.IsWhiteSpace);
    }
}
