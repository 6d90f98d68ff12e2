namespace Rmq.Docs.Tests;

/// <summary>The repository this test runs from: the folder above the test assembly that holds Rmq.sln.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Rmq.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Rmq.sln above {AppContext.BaseDirectory}");
    }
}
