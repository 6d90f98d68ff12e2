using System.CommandLine;
using Rmq.Cli;
using Rmq.Cli.Commands;

// rmq: the Rmq admin tool. Exit codes: 0 done, 1 failed, 2 usage error, 3 no silo reachable, 130 interrupted.
var root = new RootCommand("rmq: administer Rmq queues through a running Rmq silo (Go rmq's Redis layout).")
{
    StatsCommand.Create(),
    PublishCommand.Create(),
    DrainCommand.Create(),
    PurgeCommand.Create(),
    ReturnCommand.Create(),
    PauseCommand.CreatePause(),
    PauseCommand.CreateResume(),
    ConsumingCommand.CreateUpdate(),
    ConsumingCommand.CreateRemoveConsumer(),
    RetryPolicyCommand.Create(),
    LimitsCommand.Create(),
    DeadLettersCommand.Create(),
    RecurringCommand.Create(),
    JobsCommand.Create(),
    CleanCommand.Create(),
    DemoCommand.Create(),
};
ConnectionSettings.AddTo(root);

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Usage errors exit with 2, as shell tools do; System.CommandLine alone would exit with 1.
    foreach (var error in parse.Errors) await Console.Error.WriteLineAsync($"rmq: {error.Message}");
    await Console.Error.WriteLineAsync("Run 'rmq --help' for usage.");
    return ExitCodes.Usage;
}
return await parse.InvokeAsync();
