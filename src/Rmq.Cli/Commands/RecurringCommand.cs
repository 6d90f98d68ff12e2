using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq recurring &lt;queue&gt;</c>: lists a queue's recurring jobs (<see cref="IQueueGrain.ListRecurring"/>);
/// <c>rmq recurring remove &lt;queue&gt; &lt;name&gt;</c> removes one.
/// </summary>
internal static class RecurringCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue();
        var command = new Command("recurring", "List a queue's recurring jobs: schedule, time zone, missed policy, next and last occurrence (UTC).") { queue };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var jobs = await session.Grains.GetGrain<IQueueGrain>(name).ListRecurring();
            if (jobs.Count == 0)
            {
                console.WriteLine($"'{name}' has no recurring jobs");
                return ExitCodes.Success;
            }
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("name").AddColumn("schedule").AddColumn("time zone").AddColumn("missed").AddColumn("next (UTC)").AddColumn("last (UTC)");
            foreach (var job in jobs)
                table.AddRow(Markup.Escape(job.Name), Markup.Escape(job.Schedule), Markup.Escape(job.TimeZoneId), job.Missed.ToString(), At(job.NextOccurrence), At(job.LastOccurrence));
            console.Write(table);
            return ExitCodes.Success;
        });
        command.Add(CreateRemove());
        return command;
    }

    private static Command CreateRemove()
    {
        var queue = Arguments.Queue();
        var job = new Argument<string>("name") { Description = "The recurring job's name." };
        var command = new Command("remove", "Remove a recurring job with its pending occurrence (exit code 1 when the queue has no job of that name).") { queue, job };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var (queueName, jobName) = (parse.GetValue(queue)!, parse.GetValue(job)!);
            if (!await session.Grains.GetGrain<IQueueGrain>(queueName).RemoveRecurring(jobName))
            {
                await Console.Error.WriteLineAsync($"rmq: '{queueName}' has no recurring job '{jobName}'");
                return ExitCodes.Failed;
            }
            console.WriteLine($"removed recurring job '{jobName}' of '{queueName}'");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string At(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";
}
