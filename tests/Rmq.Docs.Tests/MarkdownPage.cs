using System.Text.RegularExpressions;

namespace Rmq.Docs.Tests;

/// <summary>
/// One Markdown page of the repository (README.md or a page under docs/): its fenced code blocks with the
/// line each starts on, its headings and its links — what a reader copies and follows.
/// </summary>
public sealed partial class MarkdownPage
{
    /// <summary>A fenced block: its info string (<c>csharp compile</c>), its text and the 1-based line of its first code line.</summary>
    public sealed record CodeBlock(string Info, string Code, int Line)
    {
        public string Language => Info.Split(' ', 2)[0];

        /// <summary>Marked <c>```csharp compile</c>: a whole file, which the docs test compiles.</summary>
        public bool IsCompiled => Language == "csharp" && Info.Split(' ').Skip(1).Contains("compile");
    }

    private MarkdownPage(string relativePath, string text)
    {
        RelativePath = relativePath;
        Text = text;
        Blocks = ParseBlocks(text);
    }

    /// <summary>The path from the repository root, with forward slashes: <c>docs/producing.md</c>.</summary>
    public string RelativePath { get; }

    public string Text { get; }

    public IReadOnlyList<CodeBlock> Blocks { get; }

    public override string ToString() => RelativePath;

    public static MarkdownPage Load(string relativePath) =>
        new(relativePath, File.ReadAllText(Path.Combine(Repository.Root, relativePath)).ReplaceLineEndings("\n"));

    public static MarkdownPage FromText(string relativePath, string text) => new(relativePath, text.ReplaceLineEndings("\n"));

    /// <summary>README.md, every page under docs/, and the READMEs of the projects (src/*/, bench/).</summary>
    public static IEnumerable<string> All()
    {
        IEnumerable<string> Under(string folder, string pattern, SearchOption option) =>
            Directory.GetFiles(Path.Combine(Repository.Root, folder), pattern, option)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'));
        return new[] { "README.md", "bench/README.md" }
            .Concat(Under("docs", "*.md", SearchOption.TopDirectoryOnly))
            .Concat(Under("src", "README.md", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The text outside code blocks, line by line (headings and links inside a fence are code, not Markdown).</summary>
    public IEnumerable<string> ProseLines()
    {
        var inFence = false;
        foreach (var line in Text.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
            if (!inFence) yield return line;
        }
    }

    /// <summary>GitHub's anchors for this page's headings: lower case, punctuation dropped, spaces as hyphens.</summary>
    public IReadOnlySet<string> Anchors()
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in ProseLines())
        {
            var heading = Heading().Match(line);
            if (!heading.Success) continue;
            var slug = NotInSlug().Replace(heading.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
            var candidate = slug;
            for (var n = 1; !anchors.Add(candidate); n++) candidate = $"{slug}-{n}";
        }
        return anchors;
    }

    /// <summary>Relative links of the prose (<c>[text](target)</c>): no scheme, not an in-text code span.</summary>
    public IEnumerable<string> RelativeLinks() => ProseLines()
        .Select(line => InlineCode().Replace(line, ""))
        .SelectMany(line => Link().Matches(line).Select(m => m.Groups[1].Value))
        .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith("mailto:", StringComparison.Ordinal));

    private static List<CodeBlock> ParseBlocks(string text)
    {
        var blocks = new List<CodeBlock>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
            var info = lines[i][3..].Trim();
            var start = i + 1;
            var end = start;
            while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal)) end++;
            if (end == lines.Length) throw new InvalidOperationException($"a code fence opened on line {i + 1} is never closed");
            blocks.Add(new CodeBlock(info, string.Join('\n', lines[start..end]) + "\n", start + 1));
            i = end;
        }
        return blocks;
    }

    [GeneratedRegex(@"^#{1,6} (.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\- _]")]
    private static partial Regex NotInSlug();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
