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
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t')[0]);
        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralLow - 1));
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
        var lockFile = Path.Combine(Path.GetTempPath(), "rmq-test-ports", $"{port}.lock");

        // flock(1) takes the same kind of lock another test process's FreePorts would try for.
        using var other = Process.Start(new ProcessStartInfo("flock", ["--nonblock", "--exclusive", lockFile, "true"]))!;
        await other.WaitForExitAsync();

        Assert.Equal(1, other.ExitCode);
    }
}
