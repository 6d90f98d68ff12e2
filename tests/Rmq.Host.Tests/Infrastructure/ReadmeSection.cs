using System.Text.RegularExpressions;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>The fenced code blocks of one <c>## </c> section of the repository's README, in order: what a reader copies.</summary>
public sealed partial class ReadmeSection
{
    public sealed record CodeBlock(string Language, string Code)
    {
        /// <summary>A block whose first line is <c>// path/File.cs</c> is that file's whole content.</summary>
        public string? FileName => Language == "csharp" && Code.StartsWith("// ", StringComparison.Ordinal) && Code.Split('\n')[0].Trim().EndsWith(".cs", StringComparison.Ordinal)
            ? Code.Split('\n')[0][3..].Trim()
            : null;
    }

    private ReadmeSection(IReadOnlyList<CodeBlock> blocks) => Blocks = blocks;

    public IReadOnlyList<CodeBlock> Blocks { get; }

    /// <summary>Reads the section headed <c>## <paramref name="title"/></c> up to the next <c>## </c> heading.</summary>
    public static ReadmeSection Read(string title)
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var heading = $"\n## {title}\n";
        var start = readme.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0) throw new InvalidOperationException($"README.md has no section '## {title}'");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var blocks = Fence().Matches(section).Select(m => new CodeBlock(m.Groups[1].Value, m.Groups[2].Value)).ToList();
        return new ReadmeSection(blocks);
    }

    /// <summary>The command lines of a bash block: comments after <c>#</c> removed, empty lines skipped.</summary>
    public static IEnumerable<string> CommandLines(CodeBlock block) => block.Code.Split('\n')
        .Select(line => line.Split(" #")[0].Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#'));

    [GeneratedRegex(@"^```(\w+)\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
