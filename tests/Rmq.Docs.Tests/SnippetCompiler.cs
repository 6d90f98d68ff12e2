using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Rmq.Docs.Tests;

/// <summary>
/// Compiles a page's <c>```csharp compile</c> blocks against the assemblies this test runs with (Rmq's projects,
/// Orleans, ASP.NET Core, the base library) and the implicit usings of a <c>dotnet new console</c> project that
/// references Microsoft.Orleans.Sdk (it adds <c>Orleans</c>, <c>Orleans.Hosting</c> and <c>Orleans.Runtime</c>). The blocks of one page that declare only types are compiled together, so a page may
/// define a consumer interface in one block and use it in the next; each block with top-level statements is a
/// program of its own, compiled with them.
/// </summary>
public static class SnippetCompiler
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Orleans;
        global using Orleans.Hosting;
        global using Orleans.Runtime;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>The errors of every compiled block of the page, each as <c>path:line: CSxxxx message</c>; empty when all compile.</summary>
    public static IReadOnlyList<string> Errors(MarkdownPage page)
    {
        var blocks = page.Blocks.Where(b => b.IsCompiled).ToList();
        var parsed = blocks.Select(b => (Block: b, Tree: Parse(page, b))).ToList();
        var library = parsed.Where(p => !HasTopLevelStatements(p.Tree)).ToList();
        var programs = parsed.Where(p => HasTopLevelStatements(p.Tree)).ToList();

        var errors = new List<string>();
        // The type-only blocks alone (a library), then each program with them.
        var units = programs.Count == 0 ? [library] : programs.Select(p => library.Append(p).ToList()).ToList();
        if (programs.Count > 0 && library.Count > 0) units.Insert(0, library);
        foreach (var unit in units)
        {
            if (unit.Count == 0) continue;
            var isProgram = unit.Any(p => HasTopLevelStatements(p.Tree));
            var compilation = CSharpCompilation.Create(
                "DocsSnippet",
                [CSharpSyntaxTree.ParseText(ImplicitUsings, Options, path: "ImplicitUsings.cs"), .. unit.Select(p => p.Tree)],
                References.Value,
                new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                    nullableContextOptions: NullableContextOptions.Enable));
            foreach (var diagnostic in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                var line = diagnostic.Location.GetMappedLineSpan();
                errors.Add($"{line.Path}:{line.StartLinePosition.Line + 1}: {diagnostic.Id} {diagnostic.GetMessage()}");
            }
        }
        return errors.Distinct().ToList();
    }

    private static readonly CSharpParseOptions Options = new(LanguageVersion.Latest);

    // The line directive maps every diagnostic to the page and line a reader sees.
    private static SyntaxTree Parse(MarkdownPage page, MarkdownPage.CodeBlock block) =>
        CSharpSyntaxTree.ParseText($"#line {block.Line} \"{page.RelativePath}\"\n{block.Code}", Options, path: $"{page.RelativePath}@{block.Line}");

    private static bool HasTopLevelStatements(SyntaxTree tree) =>
        tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // The host resolved this test's whole dependency graph (the shared frameworks and every package) into the trusted
        // platform assemblies; the test's own folder adds the project references.
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return [.. trusted.Concat(local)
            .Where(p => !Path.GetFileName(p).StartsWith("Rmq.Docs.Tests", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.First()))];
    }
}
