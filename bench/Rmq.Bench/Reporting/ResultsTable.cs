using System.Globalization;
using Rmq.Bench.Measurement;
using Spectre.Console;
using static Rmq.Bench.Reporting.Units;

namespace Rmq.Bench.Reporting;

/// <summary>The results as Spectre.Console tables: on the terminal, and as plain text for the results file.</summary>
internal static class ResultsTable
{
    /// <summary>Characters per line of the results file (and of redirected output).</summary>
    public const int Width = 170;

    public static void Write(IAnsiConsole console, BenchResults results)
    {
        // A run of opt-in scenarios only (bigqueue, bigscheduled) has no figures: no empty table then.
        if (results.Figures.Count > 0) console.Write(Figures(results));
        if (results.Figures.Any(f => f.Cpu.Count > 0)) console.Write(Cpu(results));
        if (results.Memory is { } memory) console.Write(Memory(memory));
        if (results.BigQueue is { } bigQueue) console.Write(BigQueueTable.Of(bigQueue));
        if (results.BigScheduled is { } bigScheduled) console.Write(BigScheduledTable.Of(bigScheduled));
        if (results.Goals.Count > 0) console.Write(Goals(results.Goals));
        if (results.E2eRatioVsBaseline is { } ratio)
            console.MarkupLine($"e2e_ratio_vs_rmq_baseline (10 consumers, 10 publishers one message per call): [bold]{Format.Ratio(ratio)}[/]");
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"total run time: {results.TotalSeconds:0} s")));
    }

    /// <summary>The tables as plain text (no colours, fixed width), headed by the machine description.</summary>
    public static string PlainText(BenchResults results)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        console.WriteLine($"Rmq benchmark (bench/Rmq.Bench), one process, one private server ({results.Machine.ServerUnderTest})");
        foreach (var (name, value) in results.Machine.Lines()) console.WriteLine($"  {name}: {value}");
        foreach (var line in SettingsLine(results.Settings).Split(", "))
            console.WriteLine($"  setting: {line}");
        console.WriteLine();
        Write(console, results);
        return writer.ToString();
    }

    public static string SettingsLine(BenchSettings s) => string.Create(CultureInfo.InvariantCulture,
        $"server {s.Server}, repetitions {s.Repetitions}, payload {s.PayloadBytes} B, prefetch {s.PrefetchLimit}, poll {s.PollInterval.TotalMilliseconds:0} ms, " +
        $"e2e one message per call: {s.E2eSingleMessages:N0} msgs by {string.Join("/", s.E2ePublishers)} publishers to {s.E2eSingleConsumers} consumers; " +
        $"e2e batches: {s.Messages:N0} msgs published in batches of {s.E2ePublishBatch}, ceiling {s.CeilingOps:N0} ops in windows of {s.PipelineWindow}, " +
        $"publish {s.PublishMessages:N0} / batch publish {s.BatchPublishMessages:N0} msgs, latency {string.Join("/", s.LatencyRates)}/s for {s.LatencyDuration.TotalSeconds:0} s " +
        $"with {s.LatencyConsumers} consumers, scheduled {s.ScheduledRate}/s due for {s.ScheduledDuration.TotalSeconds:0} s, memory {s.MemoryQueues} queues × {s.MemoryReady} ready");

    private static Table Figures(BenchResults results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape("Median of repetitions [min–max]; ratios are Rmq / baseline and Rmq / ceiling of the medians"))
            .AddColumn("figure")
            .AddColumn(new TableColumn("Rmq").RightAligned())
            .AddColumn(new TableColumn("rmq-style baseline").RightAligned())
            .AddColumn(new TableColumn("server ceiling (taken alongside)").RightAligned())
            .AddColumn(new TableColumn("Rmq/baseline").RightAligned())
            .AddColumn(new TableColumn("Rmq/ceiling").RightAligned());
        string? group = null;
        foreach (var figure in results.Figures)
        {
            if (figure.Group != group)
            {
                group = figure.Group;
                table.AddRow($"[bold]{Markup.Escape(group)}[/]", "", "", "", "", "");
            }
            var ceiling = Cell(figure.Ceiling, figure.Unit) + (figure.CeilingOp is { } op ? " " + op : "");
            table.AddRow(
                Markup.Escape($"  {figure.Label} ({figure.Unit}{(figure.HigherIsBetter ? "" : ", lower is better")})"),
                Cell(figure.Rmq, figure.Unit),
                Cell(figure.Baseline, figure.Unit),
                ceiling,
                Format.Ratio(figure.RatioVsBaseline),
                Format.Ratio(figure.RatioVsCeiling));
        }
        return table;
    }

    private static Table Cpu(BenchResults results)
    {
        static string Us(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";
        static string Bytes(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape("CPU time (µs) and managed allocation (bytes) per message, median of repetitions; process = silo + client + harness (+ publisher process)"))
            .AddColumn("figure")
            .AddColumn(new TableColumn("Rmq process").RightAligned())
            .AddColumn(new TableColumn("Rmq server").RightAligned())
            .AddColumn(new TableColumn("Rmq alloc B").RightAligned())
            .AddColumn(new TableColumn("baseline process").RightAligned())
            .AddColumn(new TableColumn("baseline server").RightAligned())
            .AddColumn(new TableColumn("baseline alloc B").RightAligned());
        foreach (var figure in results.Figures.Where(f => f.Cpu.Count > 0))
        {
            var rmq = figure.CpuMedian(Side.Rmq);
            var baseline = figure.CpuMedian(Side.Baseline);
            table.AddRow(Markup.Escape($"{figure.Group}: {figure.Label}"), Us(rmq?.ProcessUs), Us(rmq?.RedisUs), Bytes(rmq?.AllocatedBytes),
                Us(baseline?.ProcessUs), Us(baseline?.RedisUs), Bytes(baseline?.AllocatedBytes));
        }
        return table;
    }

    private static string Cell(Stats? stats, string unit) => stats is null
        ? "—"
        : Markup.Escape($"{Format.Number(stats.Median, unit)} [{Format.Number(stats.Min, unit)}–{Format.Number(stats.Max, unit)}]");

    private static Table Memory(Scenarios.MemoryReport m)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Silo memory: {m.Queues:N0} queues, each consuming with 1 (holding) consumer and {m.ReadyPerQueue:N0} deliveries, prefetch {m.PrefetchLimit:N0}"))
            .AddColumn("state").AddColumn(new TableColumn("managed heap").RightAligned()).AddColumn(new TableColumn("process working set").RightAligned());
        table.AddRow("before (silo + client up, no such queues)", Mb(m.HeapBefore), Mb(m.WorkingSetBefore));
        table.AddRow(Markup.Escape($"{m.Queues:N0} queues consuming, 1 consumer each"), Mb(m.HeapWithQueues), Mb(m.WorkingSetWithQueues));
        table.AddRow(Markup.Escape($"… and {m.HeldDeliveries:N0} deliveries prefetched into the silo"), Mb(m.HeapWithDeliveries), Mb(m.WorkingSetWithDeliveries));
        table.AddRow("per queue (heap growth / queues)", Markup.Escape($"{m.HeapPerQueue / 1024:0.0} KB"), "");
        table.AddRow("per held delivery (heap growth / deliveries)", Markup.Escape($"{m.HeapPerHeldDelivery:0} B"), "");
        table.AddRow("server used_memory at that point (Garnet: its resident set)", Mb(m.RedisUsedMemory), "");
        table.AddRow("time to set up and prefetch", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{m.SetupSeconds:0.0} s")), "");
        return table;
    }

    private static Table Goals(IReadOnlyList<Goal> goals)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Goals of issues 10 (producing), 5 (consuming), 11 (scheduling) and 21 (CPU)")
            .AddColumn("goal").AddColumn("target").AddColumn(new TableColumn("measured").RightAligned()).AddColumn("met");
        foreach (var goal in goals)
            table.AddRow(Markup.Escape(goal.Name), Markup.Escape(goal.Target), Markup.Escape(goal.Measured),
                goal.Met switch { true => "[green]yes[/]", false => "[red]no[/]", null => "reported" });
        return table;
    }
}
