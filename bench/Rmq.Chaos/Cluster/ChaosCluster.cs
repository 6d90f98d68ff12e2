using System.Net.Http.Json;

namespace Rmq.Chaos;

/// <summary>
/// What a chaos run starts and owns: a private redis-server with AOF (fsync every second) and the
/// silo processes (Redis clustering, fast failure detection). Faults and restarts go through here.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly List<SiloProcess> _retired = [];
    private readonly SiloProcess?[] _silos;
    private readonly string _logDir;

    private ChaosCluster(RedisServer redis, int silos, string logDir)
    {
        Redis = redis;
        _silos = new SiloProcess?[silos];
        _logDir = logDir;
    }

    public RedisServer Redis { get; }

    /// <summary>
    /// The silos' Redis setting: commands time out after 2 s, so a 3.5 s hang is a lost reply to them.
    /// </summary>
    public string SiloRedis => $"{Redis.Endpoint},asyncTimeout=2000,connectTimeout=2000";

    /// <summary>The harness's own setting, patient enough to outwait the hangs it injects.</summary>
    public string HarnessRedis => $"{Redis.Endpoint},asyncTimeout=15000,syncTimeout=15000,connectTimeout=5000,abortConnect=false,allowAdmin=true";

    public static async Task<ChaosCluster> StartAsync(int silos, string logDir)
    {
        var redis = await RedisServer.StartAsync(durable: true, "--appendfsync", "everysec", "--enable-debug-command", "yes");
        var cluster = new ChaosCluster(redis, silos, logDir);
        try
        {
            for (var i = 0; i < silos; i++) await cluster.StartSiloAsync(i);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Indexes of the silos that run now.</summary>
    public IReadOnlyList<int> Running => [.. Enumerable.Range(0, _silos.Length).Where(i => _silos[i] is { HasExited: false })];

    public string SiloName(int index) => $"silo-{index + 1}";

    /// <summary>Starts silo <paramref name="index"/> (again) and waits until it answers /health; retried while Redis is down.</summary>
    public async Task StartSiloAsync(int index, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var silo = SiloProcess.Start(SiloName(index), SiloRedis,
                "--Silo:Clustering", "Redis",
                "--Silo:ProbeTimeout", "00:00:01",
                "--Silo:NumMissedProbesLimit", "2",
                "--Silo:ShutdownTimeout", "00:00:20",
                "--Rmq:CleanerInterval", "00:00:01",
                "--Logging:LogLevel:Default", "Warning",
                "--Logging:LogLevel:Rmq", "Information");
            _silos[index] = silo;
            if (await WaitUpAsync(silo, TimeSpan.FromSeconds(90), cancellationToken)) return;
            // Exited (Redis was down when it checked) or never became healthy: try a new process.
            await RetireAsync(index);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{SiloName(index)} did not start within 3 minutes; see {_logDir}");
            await Task.Delay(1000, cancellationToken);
        }
    }

    /// <summary>SIGKILL.</summary>
    public async Task KillSiloAsync(int index)
    {
        await _silos[index]!.KillAsync();
        await RetireAsync(index);
    }

    /// <summary>SIGTERM, then waits for the exit.</summary>
    public async Task StopSiloAsync(int index)
    {
        try
        {
            await _silos[index]!.TerminateAsync(seconds: 60);
        }
        catch (OperationCanceledException)
        {
            await _silos[index]!.KillAsync();
        }
        await RetireAsync(index);
    }

    /// <summary>True when every silo slot has a process whose /health answers (healthy or degraded).</summary>
    public async Task<bool> AllUpAsync()
    {
        foreach (var silo in _silos)
            if (silo is null || silo.HasExited || !await AnswersAsync(silo)) return false;
        return true;
    }

    private static async Task<bool> WaitUpAsync(SiloProcess silo, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (silo.HasExited) return false;
            if (await AnswersAsync(silo)) return true;
            await Task.Delay(250, cancellationToken);
        }
        return false;
    }

    // "degraded" counts as up: a queue the faults stalled says so there, and the silo still serves.
    private static async Task<bool> AnswersAsync(SiloProcess silo)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(silo.BaseUrl, "health"));
            var health = await response.Content.ReadFromJsonAsync<HealthStatus>();
            return health?.status is "healthy" or "degraded";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private async Task RetireAsync(int index)
    {
        if (_silos[index] is not { } silo) return;
        _silos[index] = null;
        if (!silo.HasExited) await silo.KillAsync();
        _retired.Add(silo);
    }

    /// <summary>Writes every silo process's output (the dead ones' too) to the log folder.</summary>
    public async Task WriteLogsAsync()
    {
        Directory.CreateDirectory(_logDir);
        var all = _retired.Concat(_silos.OfType<SiloProcess>()).ToList();
        for (var i = 0; i < all.Count; i++)
            await File.WriteAllTextAsync(Path.Combine(_logDir, $"{i:D2}-{all[i].Name}-pid{all[i].Pid}.log"), all[i].Output.All);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos.OfType<SiloProcess>()) await silo.DisposeAsync();
        foreach (var silo in _retired) await silo.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private sealed record HealthStatus(string status);
}
