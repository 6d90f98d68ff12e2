namespace Rmq.Silo.Hosting;

/// <summary>
/// Settings of the silo host, bound from the <c>Silo</c> configuration section. The queue runtime's
/// own settings are <see cref="Rmq.Hosting.RmqOptions"/> in the <c>Rmq</c> section.
/// </summary>
public sealed class SiloHostOptions
{
    /// <summary>The configuration section these settings are read from.</summary>
    public const string SectionName = "Silo";

    /// <summary>Default for <see cref="ClusterId"/> and <see cref="ServiceId"/>; clients use the same default.</summary>
    public const string DefaultClusterId = "rmq";

    /// <summary>Default for <see cref="SiloPort"/>, Orleans' usual silo-to-silo port.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>Default for <see cref="GatewayPort"/>, Orleans' usual client gateway port.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>Default HTTP address (the <c>urls</c> setting, <c>--urls</c>): loopback only, on Go rmq's example handler port.</summary>
    public const string DefaultUrls = "http://127.0.0.1:3333";

    /// <summary>Default for <see cref="AdvertisedAddress"/>: loopback, so nothing leaves the machine unless configured.</summary>
    public const string DefaultAdvertisedAddress = "127.0.0.1";

    /// <summary>Default for <see cref="ProbeTimeout"/>: Orleans' default.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Default for <see cref="NumMissedProbesLimit"/>: Orleans' default.</summary>
    public const int DefaultNumMissedProbesLimit = 3;

    /// <summary>Default for <see cref="NumVotesForDeathDeclaration"/>: Orleans' default.</summary>
    public const int DefaultNumVotesForDeathDeclaration = 2;

    /// <summary>Default for <see cref="ResponseTimeout"/>: Orleans' default.</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default for <see cref="ShutdownTimeout"/>.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary><see cref="ClusteringMode.Localhost"/> (one silo, the default) or <see cref="ClusteringMode.Redis"/> (a cluster).</summary>
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>Orleans cluster id; silos and clients of one cluster share it.</summary>
    public string ClusterId { get; set; } = DefaultClusterId;

    /// <summary>Orleans service id; stable across deployments of the same service.</summary>
    public string ServiceId { get; set; } = DefaultClusterId;

    /// <summary>The silo's name, shown in rmq connection names (<c>queue@name-xxxxxx</c>); Orleans picks one when empty.</summary>
    public string? Name { get; set; }

    /// <summary>With Redis clustering: the IP address this silo listens on and advertises to the others.</summary>
    public string AdvertisedAddress { get; set; } = DefaultAdvertisedAddress;

    /// <summary>Port for silo-to-silo traffic.</summary>
    public int SiloPort { get; set; } = DefaultSiloPort;

    /// <summary>Port clients (and the <c>rmq</c> CLI) connect to.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>
    /// With Redis clustering: the StackExchange.Redis configuration of the membership store. Empty:
    /// the queues' Redis (<c>Rmq:RedisConnectionString</c>).
    /// </summary>
    public string? ClusteringRedis { get; set; }

    /// <summary>Membership: how long a liveness probe to another silo may take.</summary>
    public TimeSpan ProbeTimeout { get; set; } = DefaultProbeTimeout;

    /// <summary>Membership: missed probes after which a silo suspects another one.</summary>
    public int NumMissedProbesLimit { get; set; } = DefaultNumMissedProbesLimit;

    /// <summary>Membership: suspicions needed to declare a silo dead (fewer suffice when fewer silos are alive).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = DefaultNumVotesForDeathDeclaration;

    /// <summary>
    /// How long a grain call from this silo may wait for its answer (Orleans' messaging response timeout). It bounds
    /// every consumer call (<c>Rmq:ConsumerTimeout</c> must not exceed it) but not a long-running job's
    /// (<c>ILongRunningConsumerGrain.Run</c> has its own, and a lease instead).
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = DefaultResponseTimeout;

    /// <summary>How long a stop (SIGTERM, Ctrl-C) may take for queues to hand back what they prefetched.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;
}
