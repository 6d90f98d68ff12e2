using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq retry-policy &lt;queue&gt; [options]</c>: shows a queue's retry policy, sets it (fields not given
/// keep their current value, or <see cref="RetryPolicy.Default"/>'s), or removes it (<see cref="IQueueGrain.SetRetryPolicy"/>).
/// </summary>
internal static class RetryPolicyCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue();
        var attempts = new Option<int?>("--max-attempts") { Description = "Attempts at most, the first included (1 to 1000)." };
        var initial = new Option<TimeSpan?>("--initial-backoff") { Description = "Wait before the second attempt, as hh:mm:ss[.fff]." };
        var multiplier = new Option<double?>("--multiplier") { Description = "Growth of each wait over the one before (1 to 100)." };
        var max = new Option<TimeSpan?>("--max-backoff") { Description = "Longest wait, as hh:mm:ss[.fff] or d.hh:mm:ss." };
        var jitter = new Option<double?>("--jitter") { Description = "Fraction of each wait drawn at random and taken off it (0 to 1)." };
        var neverRetry = new Option<string[]>("--never-retry")
        {
            Description = "An exception type's full name (System.FormatException) whose throw goes straight to rejected; repeat it for more. Replaces the list; --never-retry none empties it.",
        };
        var remove = new Option<bool>("--remove") { Description = "Remove the policy: outcomes are Go rmq's again." };
        var command = new Command("retry-policy",
            "Show a queue's retry policy; with options, set it (persisted; fields not given keep their value); with --remove, remove it.")
        {
            queue, attempts, initial, multiplier, max, jitter, neverRetry, remove,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(remove) && (result.GetValue(attempts) ?? result.GetValue(multiplier) ?? result.GetValue(jitter)) is not null
                || result.GetValue(remove) && (result.GetValue(initial) ?? result.GetValue(max)) is not null
                || result.GetValue(remove) && result.GetValue(neverRetry) is { Length: > 0 })
                result.AddError("--remove takes no other option: remove the policy, or set fields, not both.");
        });
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            var grain = session.Grains.GetGrain<IQueueGrain>(queueName);
            if (parse.GetValue(remove))
            {
                await grain.SetRetryPolicy(null);
                console.WriteLine($"removed the retry policy of '{queueName}'");
                return ExitCodes.Success;
            }
            var current = await grain.GetRetryPolicy();
            bool changes = parse.GetValue(attempts) is not null || parse.GetValue(initial) is not null || parse.GetValue(multiplier) is not null
                || parse.GetValue(max) is not null || parse.GetValue(jitter) is not null || parse.GetValue(neverRetry) is { Length: > 0 };
            if (!changes)
            {
                console.WriteLine(current is null ? $"'{queueName}' has no retry policy" : $"retry policy of '{queueName}': {Describe(current)}");
                return ExitCodes.Success;
            }
            var from = current ?? RetryPolicy.Default;
            var policy = new RetryPolicy(parse.GetValue(attempts) ?? from.MaxAttempts, parse.GetValue(initial) ?? from.InitialBackoff,
                parse.GetValue(multiplier) ?? from.Multiplier, parse.GetValue(max) ?? from.MaxBackoff, parse.GetValue(jitter) ?? from.Jitter)
            {
                NeverRetry = parse.GetValue(neverRetry) is { Length: > 0 } names ? names.Where(n => n != "none").Distinct().ToArray() : from.NeverRetry,
            };
            // Out of range: the grain's ArgumentOutOfRangeException names the field and its range (exit code 1).
            await grain.SetRetryPolicy(policy);
            console.WriteLine($"retry policy of '{queueName}': {Describe(policy)}");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string Describe(RetryPolicy p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.MaxAttempts} attempts, backoff {p.InitialBackoff} × {p.Multiplier} up to {p.MaxBackoff}, jitter {p.Jitter}{(p.NeverRetry.Count > 0 ? "; never retried: " + string.Join(", ", p.NeverRetry) : "")}");
}
