using System.Net;
using System.Net.Http.Json;

namespace Rmq.Host.Tests.Packaging;

/// <summary>
/// The two samples, started as docs/samples.md says (<c>dotnet run --project samples/...</c>; built with this test
/// project, so <c>--no-build</c>): an order posted to the API is published to <c>orders</c> and consumed by the
/// silo sample's consumer grain.
/// </summary>
public sealed class SampleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<DotnetProcess> _running = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var process in _running) await process.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ApiSample_PublishesPostedOrders_OnceEach_AndTheSiloSampleConsumesThem()
    {
        var silo = Run("samples/Rmq.Samples.Silo",
            "--Rmq:RedisConnectionString", _redis.Endpoint,
            "--Silo:SiloPort", FreePorts.Next().ToString(),
            "--Silo:GatewayPort", FreePorts.Next().ToString());
        var apiUrl = $"http://127.0.0.1:{FreePorts.Next()}";
        var api = Run("samples/Rmq.Samples.Api", "--Rmq:RedisConnectionString", _redis.Endpoint, "--urls", apiUrl);
        await silo.WaitForOutputAsync("Queue orders: declaration Applied", seconds: 90);
        await api.WaitForOutputAsync("Now listening on", seconds: 60);

        using var http = new HttpClient { BaseAddress = new Uri(apiUrl), Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 1; i <= 5; i++)
        {
            using var response = await http.PostAsJsonAsync("/orders", new { id = $"o-{i}", amount = 10m + i });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        // The same order again: deduplicated by its id, nothing published.
        using (var again = await http.PostAsJsonAsync("/orders", new { id = "o-1", amount = 11m }))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var bad = await http.PostAsJsonAsync("/orders", new { id = "", amount = 1m }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        for (var i = 1; i <= 5; i++) await silo.WaitForOutputAsync($"order consumed: o-{i} ({10 + i})", seconds: 30);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var db = multiplexer.GetDatabase();
        var keys = new RedisKeys(KeyDialect.Classic);
        await Eventually.True(async () =>
        {
            long unacked = 0;
            foreach (var connection in await db.SetMembersAsync(RedisKeys.Connections))
                unacked += await db.ListLengthAsync(keys.Unacked(connection!, "orders"));
            return unacked == 0 && await db.ListLengthAsync(keys.Ready("orders")) == 0;
        }, "orders in ready or unacked", seconds: 10);
        Assert.Equal(0, await db.ListLengthAsync(keys.Rejected("orders")));
        // o-1 once: the duplicate post published nothing.
        Assert.Single(silo.Output.All.Split('\n'), line => line.Contains("order consumed: o-1 ", StringComparison.Ordinal));
        output.WriteLine(silo.Output.All);
    }

    private DotnetProcess Run(string project, params string[] appArgs)
    {
        var process = DotnetProcess.Start("dotnet", ["run", "--project", project, "-c", RepoPaths.Configuration, "--no-build", "--", .. appArgs], RepoPaths.Root);
        _running.Add(process);
        return process;
    }
}
