namespace Rmq.Cli;

/// <summary>The exit codes of <c>rmq</c>, as docs/cli.md documents them.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed: Redis unreachable from the silo, the silo rejected the call, the demo left deliveries behind.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: an unknown option, a missing argument, an invalid queue name or count.</summary>
    public const int Usage = 2;

    /// <summary>No Rmq silo answered at the configured gateway (or Redis membership).</summary>
    public const int Unreachable = 3;
}
