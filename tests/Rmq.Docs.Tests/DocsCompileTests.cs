namespace Rmq.Docs.Tests;

/// <summary>
/// The documentation cannot drift from the code: every C# block marked <c>```csharp compile</c> in README.md and
/// docs/ compiles against the projects as they are, and every relative link leads to a page and heading that exist.
/// </summary>
public sealed class DocsCompileTests
{
    public static TheoryData<string> Pages() => [.. MarkdownPage.All()];

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryCompleteCSharpBlock_Compiles(string page)
    {
        var errors = SnippetCompiler.Errors(MarkdownPage.Load(page));
        Assert.True(errors.Count == 0, $"{page}: {errors.Count} compile error(s):\n{string.Join('\n', errors)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryRelativeLink_LeadsToAPageAndHeadingThatExist(string page)
    {
        var markdown = MarkdownPage.Load(page);
        var folder = Path.GetDirectoryName(page)!;
        var broken = new List<string>();
        foreach (var link in markdown.RelativeLinks())
        {
            var (file, anchor) = link.Split('#', 2) is [var f, var a] ? (f, a) : (link, null);
            var target = file.Length == 0 ? page : Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Root, folder, file))).Replace('\\', '/');
            var full = Path.Combine(Repository.Root, target);
            if (!File.Exists(full) && !Directory.Exists(full)) { broken.Add($"{link}: no {target}"); continue; }
            if (anchor is not null && target.EndsWith(".md", StringComparison.Ordinal) && !MarkdownPage.Load(target).Anchors().Contains(anchor))
                broken.Add($"{link}: {target} has no heading #{anchor}");
        }
        Assert.True(broken.Count == 0, $"{page}: broken links:\n{string.Join('\n', broken)}");
    }

    [Fact]
    public void TheDocsHoldCompiledBlocks_OnEveryPageThatShowsApiCode()
    {
        // A page about the API with no compiled block would be documentation nothing checks.
        string[] apiPages = ["README.md", "docs/getting-started.md", "docs/producing.md", "docs/consuming.md", "docs/scheduling.md", "docs/retries.md", "docs/long-jobs.md", "docs/flow-control.md"];
        foreach (var page in apiPages)
            Assert.True(MarkdownPage.Load(page).Blocks.Any(b => b.IsCompiled), $"{page} has no ```csharp compile block");
    }

    [Fact]
    public void TheChecker_ReportsABlockThatDoesNotCompile_WithItsPageAndLine()
    {
        // The documentation's own mistake of an earlier release: Queue(...) called on an IClusterClient.
        var page = MarkdownPage.FromText("docs/example.md", """
            # Example

            ```csharp compile
            using Rmq;

            IClusterClient client = null!;
            await client.Queue("orders").Publish("order 42");
            ```
            """);

        var errors = SnippetCompiler.Errors(page);

        var error = Assert.Single(errors);
        Assert.StartsWith("docs/example.md:7: CS1061", error);
        Assert.Contains("'IClusterClient' does not contain a definition for 'Queue'", error);
    }

    [Fact]
    public void TheChecker_CompilesTypesOfOneBlockUsedByAnother_AndLeavesUnmarkedBlocksAlone()
    {
        var page = MarkdownPage.FromText("docs/example.md", """
            ```csharp compile
            using Rmq;
            public interface IPrinter : IConsumerGrain, IGrainWithStringKey;
            ```

            ```csharp
            this is not C#, and not marked
            ```

            ```csharp compile
            using Rmq;
            IGrainFactory grains = null!;
            await grains.GetGrain<IQueueGrain>("hello").AddConsumer("printer", grains.GetGrain<IPrinter>("1"));
            ```
            """);

        Assert.Empty(SnippetCompiler.Errors(page));
        Assert.Equal(2, page.Blocks.Count(b => b.IsCompiled));
    }
}

/// <summary>The map of src/Rmq.Grains/README.md ("where is a delivery retried?") names files that exist.</summary>
public sealed class SourceMapTests
{
    [Fact]
    public void WhereThingsLive_NamesOnlyFilesAndFoldersThatExist()
    {
        var page = MarkdownPage.Load("src/Rmq.Grains/README.md");
        var rows = page.ProseLines().SkipWhile(l => l != "## Where things live").Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(2).ToList();
        Assert.True(rows.Count >= 10, "the table 'Where things live' is missing or nearly empty");
        var missing = new List<string>();
        foreach (var row in rows)
        {
            var where = row.Split('|', StringSplitOptions.RemoveEmptyEntries)[^1];
            foreach (var path in System.Text.RegularExpressions.Regex.Matches(where, "`([^`]+)`").Select(m => m.Groups[1].Value)
                         .Where(p => p.Contains('/') || p.EndsWith(".cs", StringComparison.Ordinal)))
            {
                // Paths are relative to src/Rmq.Grains, or to src/ when they name another project (Rmq.Redis/…).
                var found = new[] { Path.Combine(Repository.Root, "src", "Rmq.Grains"), Path.Combine(Repository.Root, "src") }.Any(root => Exists(root, path));
                if (!found) missing.Add(path);
            }
        }
        Assert.True(missing.Count == 0, $"src/Rmq.Grains/README.md names what does not exist: {string.Join(", ", missing)}");
    }

    private static bool Exists(string root, string path)
    {
        var full = Path.Combine(root, path);
        if (!path.Contains('*')) return File.Exists(full) || Directory.Exists(full);
        var folder = Path.GetDirectoryName(full)!;
        return Directory.Exists(folder) && Directory.GetFiles(folder, Path.GetFileName(full)).Length > 0;
    }
}
