using System.Diagnostics;
using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>
/// Two real silo processes in one cluster (Redis clustering) and this test process as the client:
/// 10,000 deliveries consumed on both silos, the silo holding the queue killed with SIGKILL halfway,
/// and every delivery still consumed, nothing left in ready or unacked.
/// </summary>
public sealed class FailoverProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Deliveries = 10_000;
    private const int PrefetchLimit = 100;
    private const int Consumers = 16;

    private static readonly string[] FastFailover =
    [
        "--Silo:Clustering", "Redis",
        // Declared dead after ~2 missed 1 s probes instead of Orleans' default ~15 s.
        "--Silo:ProbeTimeout", "00:00:01",
        "--Silo:NumMissedProbesLimit", "2",
        "--Rmq:CleanerInterval", "00:00:01",
    ];

    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private SiloProcess _a = null!;
    private SiloProcess _b = null!;
    private RmqClient _client = null!;

    private IDatabase Db => _multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        // Staggered: the second silo joins a cluster whose first member is already active.
        _a = SiloProcess.Start("silo-a", _redis.Endpoint, FastFailover);
        await _a.WaitHealthyAsync();
        _b = SiloProcess.Start("silo-b", _redis.Endpoint, FastFailover);
        await _b.WaitHealthyAsync(activeSilos: 2);
        await _a.WaitHealthyAsync(activeSilos: 2);
        _client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Redis;
            o.RedisConnectionString = _redis.Endpoint;
        });
    }

    public async Task DisposeAsync()
    {
        // Also called after a failed InitializeAsync: dispose what was started.
        if (_client is not null) await _client.DisposeAsync();
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_multiplexer is not null) await _multiplexer.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }

    [Fact]
    public async Task KillingTheSiloThatHoldsTheQueue_LosesNothing_AndTheOtherSiloFinishes()
    {
        try
        {
            await KillAndRecoverAsync();
        }
        catch
        {
            output.WriteLine($"--- silo-a:\n{_a.Output.All}\n--- silo-b:\n{_b.Output.All}");
            throw;
        }
    }

    private async Task KillAndRecoverAsync()
    {
        var queue = $"failover-{Guid.NewGuid():N}"[..17];
        var done = queue + "-done";
        var doneKey = _keys.Ready(done);
        var grain = _client.Queue(queue);
        var payloads = Enumerable.Range(0, Deliveries).Select(i => $"m-{i:D5}").ToList();
        foreach (var chunk in payloads.Chunk(500)) await grain.PublishBatch(chunk);
        Assert.Equal(Deliveries, await Db.ListLengthAsync(_keys.Ready(queue)));

        await grain.StartConsuming(PrefetchLimit, TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < Consumers; i++) await grain.AddConsumer("relay", _client.Grains.GetGrain<IRelayConsumerGrain>(i, done));
        var connection = await grain.GetConnectionName();
        Assert.NotNull(connection);
        var victim = connection.Contains("@silo-a-", StringComparison.Ordinal) ? _a : _b;
        var survivor = victim == _a ? _b : _a;
        Assert.Contains($"@{victim.Name}-", connection);

        // Kill when about a quarter is consumed, while both silos are busy.
        await Eventually.True(async () => await Db.ListLengthAsync(doneKey) >= Deliveries / 4, "a quarter consumed before the kill", seconds: 60);
        await victim.KillAsync();
        var clock = Stopwatch.StartNew();
        var consumedAtKill = await Db.ListLengthAsync(doneKey);
        var leftAtKill = await Db.ListLengthAsync(_keys.Ready(queue)) + await UnackedAsync(queue);
        var heldByDeadConnection = await Db.ListLengthAsync(_keys.Unacked(connection, queue));
        var bySiloAtKill = await ConsumedBySiloAsync(doneKey);
        Assert.True(leftAtKill > 0, $"everything was consumed before the kill ({consumedAtKill} copies); the test proved nothing");

        // Resumed: more copies than the consumers' in-flight deliveries could add, so the queue consumes again.
        await Eventually.True(async () => await Db.ListLengthAsync(doneKey) >= consumedAtKill + Consumers + 100, "consumption resumed after the kill", seconds: 60);
        var resumedAfter = clock.Elapsed;
        await Eventually.Equal(false, async () => await Db.SetContainsAsync(RedisKeys.Connections, connection), "the dead connection still registered", seconds: 60);
        var cleanedAfter = clock.Elapsed;
        await Eventually.True(async () => await Db.ListLengthAsync(_keys.Ready(queue)) == 0 && await UnackedAsync(queue) == 0 && await DistinctConsumedAsync(doneKey) == Deliveries,
            "every delivery consumed, nothing in ready or unacked", seconds: 90);
        var finishedAfter = clock.Elapsed;

        var copies = (await Db.ListRangeAsync(doneKey)).Select(v => RelayedCopies.Decode((byte[])v!)).ToList();
        var distinct = copies.Select(c => c.Payload).ToHashSet();
        var duplicates = copies.Count - distinct.Count;
        Assert.True(distinct.SetEquals(payloads), "every published payload was consumed");
        Assert.Equal(0, await Db.ListLengthAsync(_keys.Ready(queue)));
        Assert.Equal(0, await UnackedAsync(queue));
        Assert.Empty(await UnackedKeysWithContentAsync(queue));
        Assert.Equal(0, await Db.ListLengthAsync(_keys.Rejected(queue)));
        // At-least-once: only deliveries the dead silo held (at most the prefetch limit) can come twice.
        Assert.InRange(duplicates, 0, PrefetchLimit);
        var bySilo = await ConsumedBySiloAsync(doneKey);
        Assert.True(bySiloAtKill.ContainsKey(victim.Name) && bySiloAtKill.ContainsKey(survivor.Name), $"both silos consumed before the kill: {Describe(bySiloAtKill)}");
        Assert.True((await survivor.GetHealthAsync())?.Status == "healthy", "the survivor stays healthy");

        var report = $"""
            failover (two Rmq.Silo processes, Redis clustering, probe 1 s x 2 missed, cleaner every 1 s):
              {Deliveries} published; killed {victim.Name} (held the queue) with SIGKILL after {consumedAtKill} consumed, {leftAtKill} left ({heldByDeadConnection} in its unacked list)
              consumption resumed on {survivor.Name} after {resumedAfter.TotalSeconds:F1} s; dead connection cleaned after {cleanedAfter.TotalSeconds:F1} s
              all {Deliveries} consumed, ready and unacked empty after {finishedAfter.TotalSeconds:F1} s
              consumed per silo before the kill: {Describe(bySiloAtKill)}; in all: {Describe(bySilo)}
              duplicates (consumed twice): {duplicates}
            """;
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(RepoPaths.Results, "failover.txt"), report + Environment.NewLine);
    }

    private async Task<Dictionary<string, int>> ConsumedBySiloAsync(RedisKey done) =>
        (await Db.ListRangeAsync(done)).Select(v => RelayedCopies.Decode((byte[])v!).RelayedBy ?? "(none)")
            .GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());

    private static string Describe(Dictionary<string, int> bySilo) => string.Join(", ", bySilo.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));

    private async Task<long> UnackedAsync(string queue)
    {
        long total = 0;
        foreach (var c in await Db.SetMembersAsync(RedisKeys.Connections)) total += await Db.ListLengthAsync(_keys.Unacked(c!, queue));
        return total;
    }

    /// <summary>Every unacked list of the queue that holds something, registered connection or not.</summary>
    private async Task<List<string>> UnackedKeysWithContentAsync(string queue)
    {
        var server = _multiplexer.GetServer(_multiplexer.GetEndPoints()[0]);
        var found = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: $"rmq::connection::*::queue::[[]{queue}]::unacked"))
            if (await Db.ListLengthAsync(key) > 0) found.Add(key!);
        return found;
    }

    private async Task<int> DistinctConsumedAsync(RedisKey done) =>
        (await Db.ListRangeAsync(done)).Select(v => RelayedCopies.Decode((byte[])v!).Payload).Distinct().Count();
}
