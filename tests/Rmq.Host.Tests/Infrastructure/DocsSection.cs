using System.Text.RegularExpressions;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>The fenced code blocks of one page of the documentation (README.md or docs/*.md), or of one <c>## </c> section of it, in order: what a reader copies.</summary>
public sealed partial class DocsSection
{
    public sealed record CodeBlock(string Language, string Code)
    {
        /// <summary>A block whose first line is <c>// path/File.cs</c> is that file's whole content.</summary>
        public string? FileName => Language == "csharp" && Code.StartsWith("// ", StringComparison.Ordinal) && Code.Split('\n')[0].Trim().EndsWith(".cs", StringComparison.Ordinal)
            ? Code.Split('\n')[0][3..].Trim()
            : null;
    }

    private DocsSection(IReadOnlyList<CodeBlock> blocks) => Blocks = blocks;

    public IReadOnlyList<CodeBlock> Blocks { get; }

    /// <summary>Reads the page at <paramref name="page"/> (from the repository root): all of it, or the section headed <c>## <paramref name="title"/></c> up to the next <c>## </c> heading.</summary>
    public static DocsSection Read(string page, string? title = null)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, page)).ReplaceLineEndings("\n");
        var section = text;
        if (title is not null)
        {
            var heading = $"\n## {title}\n";
            var start = text.IndexOf(heading, StringComparison.Ordinal);
            if (start < 0) throw new InvalidOperationException($"{page} has no section '## {title}'");
            var end = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
            section = end < 0 ? text[start..] : text[start..end];
        }
        // The info string's first word is the language: "csharp compile" is a C# block the docs test compiles.
        var blocks = Fence().Matches(section).Select(m => new CodeBlock(m.Groups[1].Value, m.Groups[2].Value)).ToList();
        return new DocsSection(blocks);
    }

    /// <summary>The command lines of a bash block: comments after <c>#</c> removed, empty lines skipped.</summary>
    public static IEnumerable<string> CommandLines(CodeBlock block) => block.Code.Split('\n')
        .Select(line => line.Split(" #")[0].Trim())
        .Where(line => line.Length > 0 && !line.StartsWith('#'));

    [GeneratedRegex(@"^```(\w+)[^\n]*\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
