using System.Diagnostics;
using System.Text;

namespace Rmq.Chaos;

/// <summary>
/// Injects one fault at a time and heals it; a killed or stopped silo is restarted in the background,
/// and the next silo fault waits for it, so at least two of the three silos are up at any time.
/// </summary>
internal sealed class FaultInjector(ChaosCluster cluster, IConnectionMultiplexer redis, Stopwatch clock, int seed, Action<string> log)
{
    private static readonly TimeSpan HangFor = TimeSpan.FromSeconds(3.5);
    private static readonly TimeSpan WrongTypeFor = TimeSpan.FromSeconds(3);
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private readonly Random _random = new(seed * 7919);
    private readonly List<Task> _restarts = [];
    private readonly List<byte[]> _poison = [];

    /// <summary>Every element the poison faults pushed, each once.</summary>
    public IReadOnlyList<byte[]> Poison => _poison;

    public async Task<FaultEvent> InjectAsync(FaultKind kind, CancellationToken cancellationToken)
    {
        if (kind is FaultKind.SiloKill or FaultKind.SiloStop) await WaitForSilosAsync(cancellationToken);
        var start = clock.Elapsed;
        var (target, detail) = kind switch
        {
            FaultKind.SiloKill => await SiloAsync(kill: true, cancellationToken),
            FaultKind.SiloStop => await SiloAsync(kill: false, cancellationToken),
            FaultKind.RedisRestart => await RedisRestartAsync(kill: false),
            FaultKind.RedisKill => await RedisRestartAsync(kill: true),
            FaultKind.ClientKill => await ClientKillAsync(),
            FaultKind.RedisSleep => await HangAsync("DEBUG", "SLEEP", HangFor.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)),
            FaultKind.ClientPause => await HangAsync("CLIENT", "PAUSE", ((int)HangFor.TotalMilliseconds).ToString(), "ALL"),
            FaultKind.ServerError => await WrongTypeAsync(cancellationToken),
            FaultKind.Poison => await PoisonAsync(),
            FaultKind.DataLoss => await DeleteReadyAsync(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var fault = new FaultEvent(kind, target, start, clock.Elapsed, detail);
        log(fault.ToString());
        return fault;
    }

    /// <summary>Waits for every restart under way (the run's end).</summary>
    public Task HealedAsync() => Task.WhenAll(_restarts);

    private async Task WaitForSilosAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_restarts);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await cluster.AllUpAsync() && DateTime.UtcNow < deadline) await Task.Delay(250, cancellationToken);
    }

    private async Task<(string, string)> SiloAsync(bool kill, CancellationToken cancellationToken)
    {
        var running = cluster.Running;
        var index = running[_random.Next(running.Count)];
        if (kill) await cluster.KillSiloAsync(index);
        else await cluster.StopSiloAsync(index);
        var downFor = TimeSpan.FromSeconds(1 + _random.NextDouble() * 4);
        _restarts.Add(Task.Run(async () =>
        {
            await Task.Delay(downFor, cancellationToken);
            await cluster.StartSiloAsync(index, cancellationToken);
            log($"{clock.Elapsed.TotalSeconds,7:F1} s  {cluster.SiloName(index)} restarted and up");
        }, cancellationToken));
        return (cluster.SiloName(index), kill ? $"SIGKILL, restart in {downFor.TotalSeconds:F1} s" : $"SIGTERM (exited), restart in {downFor.TotalSeconds:F1} s");
    }

    private async Task<(string, string)> RedisRestartAsync(bool kill)
    {
        if (kill) await cluster.Redis.KillAsync();
        else await cluster.Redis.StopAsync();
        await cluster.Redis.RestartAsync();
        return ($"redis {cluster.Redis.Endpoint}", kill ? "SIGKILL, restarted on its AOF" : "SIGTERM, restarted on its AOF");
    }

    private async Task<(string, string)> ClientKillAsync()
    {
        // SKIPME yes (the default): the harness's own connection stays.
        var killed = await redis.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "normal");
        return ("redis clients", $"{killed} connections dropped");
    }

    private async Task<(string, string)> HangAsync(params object[] command)
    {
        // From a connection of its own: DEBUG SLEEP holds the reply to the one who sent it.
        await using var hanger = await ConnectionMultiplexer.ConnectAsync(cluster.HarnessRedis);
        var sent = Stopwatch.StartNew();
        await hanger.GetDatabase().ExecuteAsync((string)command[0], command[1..]);
        // CLIENT PAUSE returns at once; wait out the pause as DEBUG SLEEP does.
        if (sent.Elapsed < HangFor) await Task.Delay(HangFor - sent.Elapsed);
        return ("redis", $"{string.Join(' ', command)} (silos time out after 2 s)");
    }

    private async Task<(string, string)> WrongTypeAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        // A connection consuming a source queue; its unacked list is where the engine's scripts write.
        var queue = ChaosSettings.SourceQueues[_random.Next(ChaosSettings.SourceQueues.Length)];
        string? connection = null;
        foreach (var c in await db.SetMembersAsync(RedisKeys.Connections))
            if (await db.SetContainsAsync(RedisKeys.ConnectionQueues(c!), queue)) connection = c;
        if (connection is null) return ($"{queue} (no consuming connection)", "skipped");
        var unacked = _keys.Unacked(connection, queue);
        var aside = (RedisKey)$"chaos::aside::{unacked}";
        // Both steps are one script each: nothing can slip into the list between moving it aside and the SET.
        await db.ScriptEvaluateAsync(
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[2]) end redis.call('SET', KEYS[1], 'chaos')",
            [unacked, aside]);
        await Task.Delay(WrongTypeFor, cancellationToken);
        await db.ScriptEvaluateAsync(
            "redis.call('DEL', KEYS[1]) if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]) end",
            [unacked, aside]);
        return (unacked.ToString(), $"a string for {WrongTypeFor.TotalSeconds:F0} s (WRONGTYPE)");
    }

    private async Task<(string, string)> DeleteReadyAsync()
    {
        var db = redis.GetDatabase();
        long deleted = 0;
        // Rejected lists too: consumers keep ready nearly empty, and a loss the count cannot see proves nothing.
        foreach (var queue in ChaosSettings.SourceQueues)
            foreach (var key in new[] { _keys.Ready(queue), _keys.Rejected(queue) })
            {
                deleted += await db.ListLengthAsync(key);
                await db.KeyDeleteAsync(key);
            }
        return ("source queues' ready and rejected", $"DEL of {deleted} deliveries");
    }

    private async Task<(string, string)> PoisonAsync()
    {
        var queue = ChaosSettings.SourceQueues[_random.Next(ChaosSettings.SourceQueues.Length)];
        var n = _poison.Count;
        byte[][] elements =
        [
            // The header signature, then no JSON and no line feed.
            [.. HeaderCodec.Signature, .. Encoding.ASCII.GetBytes($"{{not json {n}")],
            // The signature and a line feed, but the JSON is not map[string][]string.
            [.. HeaderCodec.Signature, .. Encoding.ASCII.GetBytes($"[1,2,{n}]\nbody")],
            // A payload no chaos consumer understands (it rejects it).
            Encoding.UTF8.GetBytes($"foreign payload {n} ünïcödé"),
        ];
        _poison.AddRange(elements);
        await redis.GetDatabase().ListLeftPushAsync(_keys.Ready(queue), [.. elements.Select(e => (RedisValue)e)]);
        return (_keys.Ready(queue).ToString(), $"{elements.Length} poison elements pushed");
    }
}
