using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Rmq.Host.Tests.Security;

/// <summary>
/// A silo configured with nothing but ports listens on loopback only — its silo port, gateway and HTTP
/// endpoints — with Localhost clustering and with Redis clustering: every listening socket the process
/// owns is bound to a loopback address, and the machine's other addresses refuse connections.
/// </summary>
public sealed class LoopbackBindingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [InlineData("Localhost")]
    [InlineData("Redis")]
    public async Task ADefaultSilo_ListensOnLoopbackOnly(string clustering)
    {
        await using var silo = SiloProcess.Start("loopback", _redis.Endpoint, "--Silo:Clustering", clustering, "--Silo:ClusterId", SingleSiloFixture.UniqueName("lo"));
        await silo.WaitHealthyAsync();

        var listening = ListeningSockets.Of(silo.Pid);
        output.WriteLine($"silo {clustering}: listening on {string.Join(", ", listening)}");
        var ports = listening.Select(e => e.Port).ToHashSet();
        // The three ports are found, so the check below looked at the right sockets.
        Assert.Contains(silo.SiloPort, ports);
        Assert.Contains(silo.GatewayPort, ports);
        Assert.Contains(silo.HttpPort, ports);
        var exposed = listening.Where(e => !ListeningSockets.IsLoopback(e.Address)).ToList();
        Assert.True(exposed.Count == 0, $"the silo listens beyond loopback: {string.Join(", ", exposed)}");

        // And from the outside: where the machine has another address, nothing answers there.
        var others = OtherAddresses();
        output.WriteLine($"non-loopback addresses of this machine: {(others.Count == 0 ? "none" : string.Join(", ", others))}");
        foreach (var address in others)
            foreach (var port in new[] { silo.SiloPort, silo.GatewayPort, silo.HttpPort })
                Assert.False(await AcceptsAsync(address, port), $"{address}:{port} accepted a connection");
    }

    private static List<IPAddress> OtherAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !IPAddress.IsLoopback(a) && (a.AddressFamily == AddressFamily.InterNetwork || a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
            .ToList();

    private static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var client = new TcpClient(address.AddressFamily);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await client.ConnectAsync(address, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
