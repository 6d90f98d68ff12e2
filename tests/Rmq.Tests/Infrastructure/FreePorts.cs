using System.Net;
using System.Net.Sockets;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// Loopback ports for the servers tests start (redis-server, silos, gateways, HTTP).
/// </summary>
/// <remarks>
/// Asking the kernel for port 0 is not enough. CI once handed out the same port twice in a row, so a silo got
/// equal silo and gateway ports. A port from the ephemeral range can also be taken by an outgoing connection
/// before the server binds it. And the test assemblies run in parallel processes. So ports are drawn at random
/// from below the ephemeral range, outside Orleans TestCluster's ranges. One process never hands out a port twice. A lock file, held open until the
/// process exits, reserves each port against the other processes.
/// </remarks>
public static class FreePorts
{
    private const int Attempts = 1000;
    private static readonly Lock Gate = new();
    private static readonly HashSet<int> HandedOut = [];
    private static readonly List<FileStream> Reservations = [];
    // Per user: another user's lock files could not be opened at all.
    public static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), $"rmq-test-ports-{Environment.UserName}");
    private static readonly (int Low, int High) Range = PortRange();

    /// <summary>A port that this process has not handed out before, no other test process holds, and nothing listens on.</summary>
    public static int Next()
    {
        lock (Gate)
        {
            Directory.CreateDirectory(LockDirectory);
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var port = Random.Shared.Next(Range.Low, Range.High);
                if (HandedOut.Contains(port) || IsTestClusterPort(port) || !TryReserve(port, out var reservation)) continue;
                if (!IsBindable(port))
                {
                    reservation.Dispose();
                    continue;
                }
                HandedOut.Add(port);
                Reservations.Add(reservation);
                return port;
            }
            throw new InvalidOperationException($"no free loopback port in {Range.Low}-{Range.High} after {Attempts} attempts");
        }
    }

    private static bool TryReserve(int port, out FileStream reservation)
    {
        try
        {
            // On Linux FileShare.None takes an exclusive flock: a second process (or open) fails until this one closes
            // the file or exits, and a crashed process leaves no stale reservation behind.
            reservation = new FileStream(Path.Combine(LockDirectory, $"{port}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reservation = null!;
            return false;
        }
    }

    /// <summary>
    /// Orleans' TestCluster (10.4.2) draws its gateway ports from 12000-22000 and its silo ports from 22300-30000 (in
    /// buckets, a few ports above the draw), reserved by named mutexes these lock files know nothing of. A silo process in another
    /// test assembly that had been handed such a port, and had not bound it yet, could lose it to a TestCluster.
    /// </summary>
    internal static bool IsTestClusterPort(int port) => port is >= 12_000 and < 22_100 or >= 22_300 and < 30_100;

    private static bool IsBindable(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Ports below the kernel's ephemeral range (read from /proc), which outgoing connections never take.</summary>
    private static (int Low, int High) PortRange()
    {
        const int floor = 10_000;
        try
        {
            var bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToArray();
            if (bounds[0] - floor >= 5_000) return (floor, bounds[0]);
            if (65_535 - bounds[1] >= 5_000) return (bounds[1] + 1, 65_535);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or an unusual /proc: fall through to the range below Linux's default ephemeral range.
        }
        return (floor, 32_768);
    }
}
