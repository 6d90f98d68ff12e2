using Spectre.Console;

namespace Rmq.Cli;

/// <summary>The console commands write to.</summary>
internal static class Output
{
    /// <summary>
    /// Spectre's console on stdout. Redirected output gets a wide fixed width, so tables piped to
    /// files or other programs are not wrapped at 80 columns.
    /// </summary>
    public static IAnsiConsole Console { get; } = Create();

    private static IAnsiConsole Create()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected) console.Profile.Width = 240;
        return console;
    }
}
