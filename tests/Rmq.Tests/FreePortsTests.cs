using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rmq.Tests;

/// <summary>
/// The port helper every server in the suite starts on. CI once failed because two ports handed out in a row
/// were equal; these tests pin down what the helper promises.
/// </summary>
public sealed class FreePortsTests
{
    [Fact]
    public void Next_NeverHandsOutAPortTwice_AndEachCanBeBound()
    {
        var ports = Enumerable.Range(0, 200).Select(_ => FreePorts.Next()).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        var ephemeral = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
            .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        // Outgoing connections take ports from the kernel's ephemeral range; when it leaves room, none is handed out from it.
        if (ephemeral[0] >= 15_000 || ephemeral[1] <= 60_535)
            Assert.All(ports, port => Assert.False(port >= ephemeral[0] && port <= ephemeral[1], $"{port} is in the ephemeral range {ephemeral[0]}-{ephemeral[1]}"));
        Assert.All(ports, port => Assert.InRange(port, 10_000, 65_535));
        // Orleans' TestCluster takes its ports with no regard for FreePorts' reservations: none handed out may be one it draws.
        using var allocator = new Orleans.TestingHost.TestClusterPortAllocator();
        for (var i = 0; i < 20; i++)
        {
            var (silo, gateway) = allocator.AllocateConsecutivePortPairs(5);
            for (var p = 0; p < 5; p++)
            {
                Assert.True(FreePorts.IsTestClusterPort(silo + p), $"TestCluster silo port {silo + p} is not kept out");
                Assert.True(FreePorts.IsTestClusterPort(gateway + p), $"TestCluster gateway port {gateway + p} is not kept out");
            }
        }
        Assert.All(ports, port => Assert.False(FreePorts.IsTestClusterPort(port), $"{port} is in a TestCluster range"));
        foreach (var port in ports.Take(20))
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
    }

    [Fact]
    public async Task Next_ReservesThePortAgainstOtherProcesses()
    {
        var port = FreePorts.Next();
        var lockFile = Path.Combine(FreePorts.LockDirectory, $"{port}.lock");

        // flock(1) takes the same kind of lock another test process's FreePorts would try for.
        using var other = Process.Start(new ProcessStartInfo("flock", ["--nonblock", "--exclusive", lockFile, "true"]))!;
        await other.WaitForExitAsync();

        Assert.Equal(1, other.ExitCode);
    }
}
