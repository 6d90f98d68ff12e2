using System.Text;

namespace Rmq.Chaos;

/// <summary>Every seed together, per fault kind: how often, the duplicates after it, how soon consuming resumed.</summary>
internal static class ChaosSummary
{
    public static string Render(IReadOnlyList<ChaosReport> reports)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## All seeds ({string.Join(", ", reports.Select(r => r.Seed))})");
        sb.AppendLine();
        sb.AppendLine($"published {reports.Sum(r => r.Ledger.Ids.Values.Sum(a => a.Published))}, lost {reports.Sum(r => r.Lost)}, " +
            $"duplicates {reports.Sum(r => r.Duplicates)}, misplaced {reports.Sum(r => r.Misplaced)}, " +
            $"longest stall {reports.SelectMany(r => ChaosSettings.AllQueues.Where(q => q != ChaosSettings.LongQueue).Select(q => r.Monitor.LongestStall(q).Length)).DefaultIfEmpty().Max().TotalSeconds:F1} s " +
            $"({ChaosSettings.LongQueue}, whose jobs run 10–30 s each, not counted: {reports.Select(r => r.Monitor.LongestStall(ChaosSettings.LongQueue).Length).DefaultIfEmpty().Max().TotalSeconds:F1} s)");
        sb.AppendLine();
        sb.AppendLine("| fault | injected | duplicates after it | most after one | resumed after it: median / max |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var kind in FaultKinds.All)
        {
            var faults = reports.SelectMany(r => r.Faults.Select((f, i) => (Report: r, Fault: f, Index: i))).Where(x => x.Fault.Kind == kind).ToList();
            if (faults.Count == 0) continue;
            var duplicates = faults.Select(x => x.Report.DuplicatesAfterFault.GetValueOrDefault(x.Index)).ToList();
            var resumed = faults.Select(x => x.Report.Resumed(x.Fault)).OfType<TimeSpan>().Order().ToList();
            var never = resumed.Count(t => t == TimeSpan.MaxValue);
            var finite = resumed.Where(t => t != TimeSpan.MaxValue).ToList();
            var times = finite.Count == 0 ? "no backlog" : $"{finite[finite.Count / 2].TotalSeconds:F2} s / {finite[^1].TotalSeconds:F2} s";
            sb.AppendLine($"| {kind.Name()} | {faults.Count} | {duplicates.Sum()} | {duplicates.Max()} | {times}{(never > 0 ? $" ({never} never)" : "")} |");
        }
        var before = reports.Sum(r => r.DuplicatesAfter.GetValueOrDefault("(no fault before it)"));
        if (before > 0) sb.AppendLine($"| (before any fault) | | {before} | | |");
        return sb.ToString();
    }
}
