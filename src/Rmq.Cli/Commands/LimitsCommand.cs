using System.CommandLine;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq limits &lt;queue&gt; [--rate 100/s] [--concurrency 5] [--remove]</c>: shows a queue's flow limits, sets them (a limit
/// not given keeps its value; <c>none</c> removes that one), or removes both (<see cref="IQueueGrain.SetFlowLimits"/>).
/// </summary>
internal static class LimitsCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue();
        var rate = new Option<string?>("--rate") { Description = "Deliveries per window, cluster-wide: 100/s, 5/200ms, 1000/1m (units ms, s, m, h, d); none removes it." };
        var concurrency = new Option<string?>("--concurrency") { Description = "Deliveries inside consumer calls at once, across every consumer; none removes it." };
        var remove = new Option<bool>("--remove") { Description = "Remove both limits." };
        var command = new Command("limits", "Show a queue's flow limits; with --rate or --concurrency, set them (persisted); with --remove, remove them.")
        {
            queue, rate, concurrency, remove,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(remove) && (result.GetValue(rate) is not null || result.GetValue(concurrency) is not null))
                result.AddError("--remove takes no other option: remove the limits, or set them, not both.");
            if (result.GetValue(rate) is { } text && text != "none")
            {
                try
                {
                    RateLimit.Parse(text);
                }
                catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
                {
                    result.AddError($"--rate: {FirstLine(e.Message)}");
                }
            }
            if (result.GetValue(concurrency) is { } max && max != "none" && (!int.TryParse(max, out var n) || n is < 1 or > FlowLimits.MaxConcurrencyLimit))
                result.AddError($"--concurrency: '{max}' is not a number of deliveries from 1 to {FlowLimits.MaxConcurrencyLimit:N0} (or none).");
        });
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var queueName = parse.GetValue(queue)!;
            var grain = session.Grains.GetGrain<IQueueGrain>(queueName);
            if (parse.GetValue(remove))
            {
                await grain.SetFlowLimits(null);
                console.WriteLine($"removed the flow limits of '{queueName}'");
                return ExitCodes.Success;
            }
            var current = await grain.GetFlowLimits() ?? new FlowLimits();
            var rateText = parse.GetValue(rate);
            var concurrencyText = parse.GetValue(concurrency);
            if (rateText is null && concurrencyText is null)
            {
                console.WriteLine(current.IsEmpty ? $"'{queueName}' has no flow limits" : $"flow limits of '{queueName}': {current}");
                return ExitCodes.Success;
            }
            var limits = current with
            {
                Rate = rateText is null ? current.Rate : rateText == "none" ? null : RateLimit.Parse(rateText),
                MaxConcurrency = concurrencyText is null ? current.MaxConcurrency : concurrencyText == "none" ? null : int.Parse(concurrencyText, System.Globalization.CultureInfo.InvariantCulture),
            };
            await grain.SetFlowLimits(limits);
            console.WriteLine(limits.IsEmpty ? $"removed the flow limits of '{queueName}'" : $"flow limits of '{queueName}': {limits}");
            return ExitCodes.Success;
        });
        return command;
    }

    // ArgumentOutOfRangeException appends "(Parameter '…')" and the actual value on lines of their own.
    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
