using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Rmq.Cli.Commands;

/// <summary>
/// <c>rmq jobs &lt;queue&gt;</c>: the long-running jobs in flight (<see cref="IQueueGrain.GetJobsInFlight"/>);
/// <c>rmq jobs cancel &lt;queue&gt; &lt;delivery-id&gt;</c> asks one to stop (<see cref="IQueueGrain.CancelInFlight"/>).
/// </summary>
internal static class JobsCommand
{
    public static Command Create()
    {
        var queue = Arguments.Queue();
        var command = new Command("jobs", "List a queue's long-running jobs in flight: delivery id, consumer, attempt, age, last renewal, progress.") { queue };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var jobs = await session.Grains.GetGrain<IQueueGrain>(name).GetJobsInFlight();
            if (jobs.Count == 0)
            {
                console.WriteLine($"'{name}' has no long-running jobs in flight");
                return ExitCodes.Success;
            }
            var now = DateTime.UtcNow;
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("delivery").AddColumn("consumer").AddColumn("attempt").AddColumn("age").AddColumn("renewed").AddColumn("progress").AddColumn("cancel");
            foreach (var job in jobs)
                table.AddRow(job.DeliveryId.ToString(CultureInfo.InvariantCulture), Markup.Escape(job.Consumer), job.Attempt.ToString(CultureInfo.InvariantCulture),
                    Seconds(now - job.Started), Seconds(now - job.LastRenewed) + " ago", Markup.Escape(Progress(job.Progress)),
                    job.CancelRequested == JobCancelReason.None ? "-" : job.CancelRequested.ToString());
            console.Write(table);
            return ExitCodes.Success;
        });
        command.Add(CreateCancel());
        return command;
    }

    private static Command CreateCancel()
    {
        var queue = Arguments.Queue();
        var delivery = new Argument<long>("delivery-id") { Description = "The job's delivery id, as 'rmq jobs' lists it." };
        var command = new Command("cancel",
            "Ask a long-running job to stop: its token fires within a second; if it stops, its delivery goes to rejected with rmq-reason: cancelled (exit code 1 when no job in flight has that id).")
        {
            queue, delivery,
        };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var (name, id) = (parse.GetValue(queue)!, parse.GetValue(delivery));
            if (!await session.Grains.GetGrain<IQueueGrain>(name).CancelInFlight(id))
            {
                await Console.Error.WriteLineAsync($"rmq: '{name}' has no long-running job in flight with delivery id {id}; 'rmq jobs {name}' lists them");
                return ExitCodes.Failed;
            }
            console.WriteLine($"asked the job of delivery {id} of '{name}' to stop");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Seconds(TimeSpan t) => $"{Math.Max(0, t.TotalSeconds):F0} s";

    private static string Progress(JobProgress? p) => p is null ? "-"
        : p.Percent is { } percent ? $"{percent.ToString("F0", CultureInfo.InvariantCulture)} %{(p.Text is null ? "" : " " + p.Text)}"
        : p.Text ?? "-";
}
