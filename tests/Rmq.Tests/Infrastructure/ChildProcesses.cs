using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// Server processes the tests start (redis-server, silos). Ctrl+C, SIGTERM or SIGHUP end the test host without
/// running any DisposeAsync; these are killed then, so no server is left behind. (SIGKILL cannot be caught.)
/// </summary>
public static class ChildProcesses
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Tracked = [];

    // .NET runs no ProcessExit handler on SIGTERM unless a handler for the signal is registered (measured here):
    // each signal kills the children, then its default action ends this process as before.
    private static readonly PosixSignalRegistration[] Signals =
        [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => KillAll()))];

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Kill <paramref name="process"/> if it still runs when this process exits.</summary>
    public static void Track(Process process)
    {
        lock (Gate) Tracked.Add(process);
    }

    /// <summary>Its owner stops it from now on.</summary>
    public static void Forget(Process process)
    {
        lock (Gate) Tracked.Remove(process);
    }

    private static void KillAll()
    {
        Process[] all;
        lock (Gate) all = [.. Tracked];
        foreach (var process in all)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
        }
    }
}
