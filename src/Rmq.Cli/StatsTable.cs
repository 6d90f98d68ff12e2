using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Rmq.Cli;

/// <summary>The stats overview as a terminal table, in the layout of Go rmq's HTML overview.</summary>
internal static class StatsTable
{
    public static IRenderable Render(StatsOverview stats, bool condensed)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("queue").AddColumn(new TableColumn("ready").RightAligned()).AddColumn(new TableColumn("rejected").RightAligned())
            .AddColumn(new TableColumn("connections").RightAligned()).AddColumn(new TableColumn("unacked").RightAligned())
            .AddColumn(new TableColumn("consumers").RightAligned());
        foreach (var queue in stats.Queues)
        {
            table.AddRow(Markup.Escape(queue.Name), N(queue.ReadyCount), N(queue.RejectedCount), N(queue.Connections.Count), N(queue.UnackedCount), N(queue.ConsumerCount));
            // A row of its own, so the queue row's columns stay as Go rmq's overview has them.
            if (queue.Consuming?.Paused == true) table.AddRow("[yellow]  paused (rmq resume)[/]", "", "", "", "", "");
            if (queue.ScheduledCount + queue.RetriedCount + queue.DeadLetteredCount > 0)
                table.AddRow($"[grey]  scheduled {N(queue.ScheduledCount)} · retried {N(queue.RetriedCount)} · dead-lettered {N(queue.DeadLetteredCount)}[/]", "", "", "", "", "");
            if (queue.RecurringCount > 0) table.AddRow($"[grey]  {N(queue.RecurringCount)} recurring (rmq recurring {Markup.Escape(queue.Name)})[/]", "", "", "", "", "");
            if (condensed) continue;
            foreach (var c in queue.Connections)
                table.AddRow($"[grey]  {Sign(c.Active)} {Markup.Escape(c.Name)}[/]", "", "", "", $"[grey]{N(c.UnackedCount)}[/]", $"[grey]{N(c.ConsumerCount)}[/]");
        }
        if (stats.Queues.Count == 0) table.Caption("no queues in rmq::queues");
        IRenderable shown = stats.Server is { } server ? new Rows(new Markup($"[grey]server: {Markup.Escape(server)}[/]"), table) : table;
        if (condensed || stats.OtherConnections.Count == 0) return shown;

        var others = new Table().Border(TableBorder.Simple).AddColumn("other connections (consuming nothing)");
        foreach (var c in stats.OtherConnections) others.AddRow($"[grey]{Sign(c.Active)} {Markup.Escape(c.Name)}[/]");
        return new Rows(shown, others);
    }

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Sign(bool active) => active ? "✓" : "✗";
}
