using System.CommandLine;

namespace Rmq.Cli;

/// <summary>Arguments and options several commands share, with their validation.</summary>
internal static class Arguments
{
    /// <summary>A queue name argument, checked by Rmq's rules before anything connects.</summary>
    public static Argument<string> Queue(string description = "The queue name.")
    {
        var queue = new Argument<string>("queue") { Description = description };
        queue.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (QueueNames.Problem(name) is { } problem) result.AddError($"Invalid queue name '{name}': {problem}.");
        });
        return queue;
    }

    /// <summary>A <c>-n</c> count, at least <paramref name="minimum"/>.</summary>
    public static Option<long> Count(string description, long defaultValue, long minimum)
    {
        var count = new Option<long>("--count", "-n") { Description = description, DefaultValueFactory = _ => defaultValue };
        count.Validators.Add(result =>
        {
            var n = result.GetValueOrDefault<long>();
            if (n < minimum) result.AddError($"-n is {n}; it must be at least {minimum}.");
        });
        return count;
    }
}
