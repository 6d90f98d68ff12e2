using System.Globalization;

namespace Rmq.Bench.Reporting;

/// <summary>
/// Writes <c>&lt;date&gt;.txt</c> (the tables) and <c>&lt;date&gt;.json</c>. A run with every option at its
/// default writes to <c>bench/results/</c>, named by the date; any other run to <c>bench/results/tmp/</c>
/// (ignored by git), named by date and time, unless <c>--output</c> names a folder. A run on Garnet adds
/// <c>-garnet</c> to the name, so it sits beside the day's Redis run.
/// </summary>
internal static class ResultsFiles
{
    public static (string Json, string Text) Write(BenchSettings settings, BenchResults results)
    {
        var now = DateTime.Now;
        var folder = settings.Output ?? Path.Combine(RepositoryRoot(), "bench", "results", settings.IsDefaultRun ? "" : "tmp");
        Directory.CreateDirectory(folder);
        var stem = settings.IsDefaultRun
            ? now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : now.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture);
        if (settings.IsGarnet) stem += "-garnet";
        var json = Path.Combine(folder, stem + ".json");
        var text = Path.Combine(folder, stem + ".txt");
        File.WriteAllText(json, ResultsJson.Serialize(results) + "\n");
        File.WriteAllText(text, ResultsTable.PlainText(results));
        return (json, text);
    }

    /// <summary>The folder holding Rmq.sln, searched upwards from the working directory, then from the program.</summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Rmq.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
