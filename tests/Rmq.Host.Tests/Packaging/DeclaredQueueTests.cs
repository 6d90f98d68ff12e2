using System.Text.Json;
using System.Text.RegularExpressions;
using Rmq.Publishing;

namespace Rmq.Host.Tests.Packaging;

/// <summary>
/// Consumers declared in code (<c>AddRmqQueue</c>), across deploys, with real silo processes (the samples'
/// silo, which declares its queue from configuration): a release that changes the prefetch limit, the push
/// queue and the consumers while orders are being published and consumed changes them in Redis, with every
/// order consumed exactly once; an older release starting afterwards (a rolling deploy) does not undo it.
/// </summary>
public sealed partial class DeclaredQueueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Queue = "orders";
    private readonly List<DotnetProcess> _running = [];
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var process in _running) await process.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [GeneratedRegex(@"order consumed: (o-\d+) ")]
    private static partial Regex Consumed();

    private DotnetProcess StartSilo(int prefetch, int consumers, string? pushTo, long version)
    {
        string[] args =
        [
            RepoPaths.SampleSiloDll,
            "--Rmq:RedisConnectionString", _redis.Endpoint,
            "--Silo:SiloPort", FreePorts.Next().ToString(), "--Silo:GatewayPort", FreePorts.Next().ToString(),
            "--Orders:Prefetch", prefetch.ToString(), "--Orders:Consumers", consumers.ToString(),
            "--Orders:PushTo", pushTo ?? "", "--Orders:Version", version.ToString(),
        ];
        var silo = DotnetProcess.Start("dotnet", args, RepoPaths.Root);
        _running.Add(silo);
        return silo;
    }

    [Fact]
    public async Task ANewReleaseChangesPrefetchPushQueueAndConsumers_InFlight_EachOrderOnce_AndAnOlderOneDoesNotUndoIt()
    {
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = _redis.Endpoint);
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var db = multiplexer.GetDatabase();

        var v1 = StartSilo(prefetch: 10, consumers: 2, pushTo: null, version: 1);
        await v1.WaitForOutputAsync("Queue orders: declaration Applied (prefetch 10, 2 consumers, version 1)", seconds: 90);

        // Orders flow the whole time: straight to Redis, so they keep coming while no silo runs.
        var published = 0;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            var orders = publisher.Queue(Queue);
            while (!stop.IsCancellationRequested)
            {
                var id = Interlocked.Increment(ref published);
                await orders.PublishJson(new { id = $"o-{id}", amount = 1m });
                await Task.Delay(5);
            }
        });
        await Task.Delay(1500);

        // The deploy: v1 stops gracefully while consuming, v2 starts with other settings.
        v1.Terminate();
        await v1.WaitForExitAsync(60);
        var v2 = StartSilo(prefetch: 50, consumers: 3, pushTo: "orders-failed", version: 2);
        await v2.WaitForOutputAsync("Queue orders: declaration Applied (prefetch 50, 3 consumers, version 2)", seconds: 90);
        await Task.Delay(1500);

        // An older release starting during the rolling deploy: its declaration is not applied.
        var old = StartSilo(prefetch: 10, consumers: 2, pushTo: null, version: 1);
        await old.WaitForOutputAsync("Queue orders: this silo's declaration (version 1) was not applied", seconds: 90);
        await Task.Delay(1000);
        await stop.CancelAsync();
        await producer;

        Assert.Equal("50", (string?)await db.HashGetAsync(_keys.ConsumingConfig(Queue), "prefetch"));
        Assert.Equal("orders-failed", (string?)await db.HashGetAsync(_keys.ConsumingConfig(Queue), "push"));
        var registrations = (await db.HashValuesAsync(_keys.ConsumerGrains(Queue))).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, registrations.Count);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Contains(registrations, r => r.EndsWith($"/{Queue}/orders/{i}", StringComparison.Ordinal)));

        await Eventually.True(async () =>
        {
            long unacked = 0;
            foreach (var connection in await db.SetMembersAsync(RedisKeys.Connections))
                unacked += await db.ListLengthAsync(_keys.Unacked(connection!, Queue));
            return unacked == 0 && await db.ListLengthAsync(_keys.Ready(Queue)) == 0;
        }, "orders in ready or unacked", seconds: 30);
        await Eventually.True(() => Task.FromResult(ConsumedIds(v1, v2, old).Count >= published), "every order consumed", seconds: 10);
        var consumed = ConsumedIds(v1, v2, old);
        output.WriteLine($"published {published}; consumed by v1 {ConsumedIds(v1).Count}, v2 {ConsumedIds(v2).Count}, the older silo {ConsumedIds(old).Count}");
        Assert.True(ConsumedIds(v1).Count > 0 && ConsumedIds(v2).Count > 0, "both releases consumed");
        Assert.Equal(published, consumed.Count);
        Assert.Equal(published, consumed.Distinct().Count());
        Assert.Equal(0, await db.ListLengthAsync(_keys.Rejected(Queue)));
        Assert.DoesNotContain("Exception", v2.Output.All);
    }

    private static List<string> ConsumedIds(params DotnetProcess[] silos) =>
        silos.SelectMany(s => Consumed().Matches(s.Output.All).Select(m => m.Groups[1].Value)).ToList();
}
