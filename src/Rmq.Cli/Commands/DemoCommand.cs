using System.CommandLine;
using Rmq.Cli.Demo;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq demo</c>: the README's main job against the running silo.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var messages = new Option<int>("--messages", "-m") { Description = "How many deliveries to publish.", DefaultValueFactory = _ => 50_000 };
        messages.Validators.Add(r =>
        {
            var n = r.GetValueOrDefault<int>();
            if (n < 1) r.AddError($"--messages is {n}; it must be at least 1.");
        });
        var command = new Command("demo", $"Publish to the queue '{DemoRunner.QueueName}', consume with the silo's demo consumers (1 in 100 rejected), show live progress and the final counts from Redis.") { messages };
        command.SetClusterAction((parse, session, console, cancellationToken) =>
            new DemoRunner(session.Grains, console).RunAsync(parse.GetValue(messages), cancellationToken));
        return command;
    }
}
