namespace Rmq.Chaos;

/// <summary>The faults the chaos program injects (bench/README.md says how each is made).</summary>
internal enum FaultKind
{
    /// <summary><c>kill -9</c> of a silo process, restarted a few seconds later.</summary>
    SiloKill,

    /// <summary>SIGTERM to a silo process (a graceful stop), restarted after it exits.</summary>
    SiloStop,

    /// <summary>redis-server stopped with SIGTERM and started again on the same AOF.</summary>
    RedisRestart,

    /// <summary>redis-server killed with SIGKILL and started again on the same AOF.</summary>
    RedisKill,

    /// <summary><c>CLIENT KILL TYPE normal</c>: every client connection dropped.</summary>
    ClientKill,

    /// <summary><c>DEBUG SLEEP</c> longer than the silos' command timeout: replies are lost, commands run late.</summary>
    RedisSleep,

    /// <summary><c>CLIENT PAUSE … ALL</c> longer than the silos' command timeout.</summary>
    ClientPause,

    /// <summary>A consuming connection's unacked list turned into a string for a while: WRONGTYPE on every script.</summary>
    ServerError,

    /// <summary>Elements no consumer can take (a broken rmq header, a foreign payload) pushed by a raw client.</summary>
    Poison,

    /// <summary>
    /// The source queues' ready and rejected lists deleted, as an eviction or a FLUSHDB would: data Rmq cannot get
    /// back. Not in the default set; it shows that the count notices a loss (the run must fail).
    /// </summary>
    DataLoss,
}

/// <summary>Names of <see cref="FaultKind"/> on the command line and in the report.</summary>
internal static class FaultKinds
{
    public static readonly FaultKind[] All = Enum.GetValues<FaultKind>();

    /// <summary>Every kind a queue must survive: all but <see cref="FaultKind.DataLoss"/>.</summary>
    public static readonly FaultKind[] Survivable = [.. All.Where(k => k != FaultKind.DataLoss)];

    public static string Name(this FaultKind kind) => kind switch
    {
        FaultKind.SiloKill => "silo-kill",
        FaultKind.SiloStop => "silo-stop",
        FaultKind.RedisRestart => "redis-restart",
        FaultKind.RedisKill => "redis-kill",
        FaultKind.ClientKill => "client-kill",
        FaultKind.RedisSleep => "redis-sleep",
        FaultKind.ClientPause => "client-pause",
        FaultKind.ServerError => "server-error",
        FaultKind.Poison => "poison",
        FaultKind.DataLoss => "data-loss",
        _ => kind.ToString(),
    };

    public static bool TryParse(string name, out FaultKind kind)
    {
        foreach (var k in All)
        {
            if (k.Name() != name) continue;
            kind = k;
            return true;
        }
        kind = default;
        return false;
    }

    public static string AllNames => string.Join(",", All.Select(Name));

    public static string SurvivableNames => string.Join(",", Survivable.Select(Name));
}
