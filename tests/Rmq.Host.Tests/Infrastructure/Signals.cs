using System.Runtime.InteropServices;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>POSIX signals to a child process by pid: SIGTERM for a graceful stop (Process.Kill only sends SIGKILL).</summary>
public static class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (kill(pid, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {pid} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a one-line P/Invoke; the generator would need unsafe code enabled
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
