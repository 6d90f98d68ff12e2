using System.Globalization;
using Rmq.Bench.Measurement;
using Spectre.Console;

namespace Rmq.Bench.Reporting;

/// <summary>The <c>--allocation-profile</c> tables: for each end-to-end row and side, the types that allocated most.</summary>
internal static class AllocationProfileTable
{
    private const int TypesShown = 15;

    public static void Write(IAnsiConsole console, AllocationProfile profile)
    {
        foreach (var window in profile.Windows)
        {
            var total = window.TotalBytes;
            if (total == 0 || window.Messages == 0) continue;
            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape($"Allocation by type (sampled), {window.Name}: ~{total / (double)window.Messages:N0} B per message over {window.Messages:N0} messages"))
                .AddColumn("type")
                .AddColumn(new TableColumn("share").RightAligned())
                .AddColumn(new TableColumn("~B per message").RightAligned());
            foreach (var (type, bytes) in window.Top(TypesShown))
                table.AddRow(Markup.Escape(type),
                    string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / total:0.0}%"),
                    string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)window.Messages:N0}"));
            console.Write(table);
        }
    }
}
