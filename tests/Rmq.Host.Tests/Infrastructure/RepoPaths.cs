using System.Reflection;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>Where the built silo, CLI and chaos program are: the same configuration as this test assembly.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } = typeof(RepoPaths).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;

    public static string SiloDll => Built("src/Rmq.Silo", "Rmq.Silo.dll");

    public static string CliDll => Built("src/Rmq.Cli", "rmq.dll");

    public static string SampleSiloDll => Built("samples/Rmq.Samples.Silo", "Rmq.Samples.Silo.dll");

    public static string ChaosDll => Built("bench/Rmq.Chaos", "Rmq.Chaos.dll");

    /// <summary>Test artifacts (screenshots, measurements) that outlive the run: <c>TestResults/</c> at the repository root.</summary>
    public static string Results
    {
        get
        {
            var dir = Path.Combine(Root, "TestResults");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    private static string Built(string project, string dll)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", dll);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is not built; build the solution first (dotnet test Rmq.sln builds it).", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rmq.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Rmq.sln not found above {AppContext.BaseDirectory}");
    }
}
