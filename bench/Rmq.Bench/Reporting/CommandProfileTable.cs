using System.Globalization;
using Rmq.Bench.Measurement;
using Spectre.Console;

namespace Rmq.Bench.Reporting;

/// <summary>The <c>--command-profile</c> tables: for each end-to-end row and side, what the server ran per delivered message.</summary>
internal static class CommandProfileTable
{
    /// <summary>Script commands: their time includes that of the commands they call, which have rows of their own.</summary>
    private static readonly HashSet<string> Scripts = new(StringComparer.OrdinalIgnoreCase) { "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro" };

    public static void Write(IAnsiConsole console, CommandProfile profile)
    {
        foreach (var window in profile.Windows)
        {
            if (window.Messages == 0) continue;
            double PerMessage(long value) => value / (double)window.Messages;
            var commands = window.Commands.ToList();
            var scripted = commands.Any(c => Scripts.Contains(c.Command));
            var table = new Table().Border(TableBorder.Rounded)
                .Title(Markup.Escape($"Redis commands (INFO commandstats), {window.Name}: over {window.Messages:N0} messages"
                    + (scripted ? "; a script's time includes the commands it calls, which are listed on their own too" : "")))
                .AddColumn("command")
                .AddColumn(new TableColumn("calls per message").RightAligned())
                .AddColumn(new TableColumn("µs per message").RightAligned())
                .AddColumn(new TableColumn("µs per call").RightAligned());
            foreach (var (command, calls, usec) in commands)
                table.AddRow(Markup.Escape(Scripts.Contains(command) ? command + " (script)" : command),
                    string.Create(CultureInfo.InvariantCulture, $"{PerMessage(calls):0.000}"),
                    string.Create(CultureInfo.InvariantCulture, $"{PerMessage(usec):0.00}"),
                    string.Create(CultureInfo.InvariantCulture, $"{usec / (double)Math.Max(1, calls):0.00}"));
            console.Write(table);
        }
    }
}
