using Rmq.Redis;

namespace Rmq.Hosting;

/// <summary>Settings of the Rmq grains in a silo. Bound from the <c>Rmq</c> configuration section by the host.</summary>
public sealed class RmqOptions
{
    /// <summary>Default for <see cref="RedisConnectionString"/>.</summary>
    public const string DefaultRedisConnectionString = "localhost:6379";

    /// <summary>Default for <see cref="HeartbeatInterval"/>: 1 s, as Go rmq.</summary>
    public static readonly TimeSpan DefaultHeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="HeartbeatTtl"/>: 60 s, as Go rmq.</summary>
    public static readonly TimeSpan DefaultHeartbeatTtl = TimeSpan.FromSeconds(60);

    /// <summary>Default for <see cref="HeartbeatErrorLimit"/>: 45, as Go rmq.</summary>
    public const int DefaultHeartbeatErrorLimit = 45;

    /// <summary>
    /// Default for <see cref="MaxPayloadBytes"/>: 64 MiB, well inside what Orleans carries in one message
    /// (its MaxMessageBodySize, 100 MiB by default), so a delivery always reaches a consumer on another silo.
    /// </summary>
    public const long DefaultMaxPayloadBytes = 64L * 1024 * 1024;

    /// <summary>The largest <see cref="MaxPayloadBytes"/> Redis can hold: 512 MiB, its largest string.</summary>
    public const long RedisMaxStringBytes = 512L * 1024 * 1024;

    /// <summary>Default for <see cref="ConsumerTimeout"/>: 30 s, Orleans' default response timeout.</summary>
    public static readonly TimeSpan DefaultConsumerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Default for <see cref="ConsumerMaxAttempts"/>.</summary>
    public const int DefaultConsumerMaxAttempts = 5;

    /// <summary>Default for <see cref="ConsumerFailureBackoff"/>.</summary>
    public static readonly TimeSpan DefaultConsumerFailureBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>Default for <see cref="ConsumerMaxBackoff"/>.</summary>
    public static readonly TimeSpan DefaultConsumerMaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Default for <see cref="JobLease"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultJobLease = TimeSpan.FromSeconds(30);

    /// <summary>Default for <see cref="JobMaxRunTime"/>: 2 h.</summary>
    public static readonly TimeSpan DefaultJobMaxRunTime = TimeSpan.FromHours(2);

    /// <summary>Default for <see cref="StallTimeout"/>.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Default for <see cref="ConsumerRetryDelay"/>.</summary>
    public static readonly TimeSpan DefaultConsumerRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Default for <see cref="CleanerInterval"/>.</summary>
    public static readonly TimeSpan DefaultCleanerInterval = TimeSpan.FromSeconds(5);

    /// <summary>Default for <see cref="RecurringMissedAfter"/>: 1 minute.</summary>
    public static readonly TimeSpan DefaultRecurringMissedAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// StackExchange.Redis configuration string (<c>host:port,user=,password=,ssl=true,defaultDatabase=</c>).
    /// Passwords are never logged or shown in messages. The URL form (<c>user:password@host</c>) is not
    /// read by StackExchange.Redis and is refused.
    /// </summary>
    public string RedisConnectionString { get; set; } = DefaultRedisConnectionString;

    /// <summary>
    /// With TLS (<c>ssl=true</c> in <see cref="RedisConnectionString"/>): the path of a PEM (or DER) file
    /// holding the CA certificate that signed Redis's certificate, trusted besides the machine's own
    /// CAs (chain and host name are still checked). Empty (the default): only the machine's CAs.
    /// </summary>
    public string? RedisTlsCaCertificate { get; set; }

    /// <summary>Key dialect; must match every Go rmq program sharing the database. Default <see cref="KeyDialect.Classic"/>.</summary>
    public KeyDialect KeyDialect { get; set; } = KeyDialect.Classic;

    /// <summary>How often a consuming queue refreshes its heartbeat key. Must be well below <see cref="HeartbeatTtl"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = DefaultHeartbeatInterval;

    /// <summary>The heartbeat key's TTL; a cleaner treats the connection as dead once it expires. Whole seconds.</summary>
    public TimeSpan HeartbeatTtl { get; set; } = DefaultHeartbeatTtl;

    /// <summary>
    /// A consuming queue gives its connection up once no heartbeat has succeeded for
    /// <see cref="HeartbeatInterval"/> × this (45 s by default), before the TTL can expire and a cleaner
    /// returns deliveries that consumers still hold; it opens a new connection once Redis answers.
    /// Measured in time, not in failed ticks, so a Redis that hangs (each tick taking seconds) is handled alike.
    /// </summary>
    public int HeartbeatErrorLimit { get; set; } = DefaultHeartbeatErrorLimit;

    /// <summary>The largest payload accepted by publish, in bytes (after header encoding).</summary>
    public long MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;

    /// <summary>
    /// Whether the cleaner runs by itself (its timer, and a pass on every membership change). When
    /// off, <see cref="ICleanerGrain.Clean"/> still runs a pass on demand. Default true.
    /// </summary>
    public bool CleanerEnabled { get; set; } = true;

    /// <summary>How often the cleaner runs a pass. Dead silos are handled at once regardless.</summary>
    public TimeSpan CleanerInterval { get; set; } = DefaultCleanerInterval;

    /// <summary>
    /// How long a consumer that could not be reached (its silo is gone) is left alone before it gets
    /// deliveries again; also the first pause before a delivery whose call timed out is handed out again
    /// (doubled for each further attempt, up to <see cref="ConsumerMaxBackoff"/>).
    /// </summary>
    public TimeSpan ConsumerRetryDelay { get; set; } = DefaultConsumerRetryDelay;

    /// <summary>
    /// How long a consumer call may take. A call that takes longer has an unknown outcome (the consumer
    /// may still be running it): the delivery counts one attempt and is handed out again after a backoff.
    /// Checked every <see cref="HeartbeatInterval"/>, so at least that; at most Orleans' response timeout
    /// (Messaging ResponseTimeout, 30 s by default), which ends the call anyway.
    /// </summary>
    public TimeSpan ConsumerTimeout { get; set; } = DefaultConsumerTimeout;

    /// <summary>
    /// How many consumer calls of one delivery may time out before it is moved to rejected, with the
    /// headers <c>rmq-reason: consumer-timeout</c>, <c>rmq-attempts</c> and <c>rmq-last-error</c>.
    /// Counted by the queue activation that holds the delivery.
    /// </summary>
    public int ConsumerMaxAttempts { get; set; } = DefaultConsumerMaxAttempts;

    /// <summary>
    /// After a consumer threw (or timed out) it gets no deliveries for this long, doubled for each
    /// further failure in a row up to <see cref="ConsumerMaxBackoff"/>, so one broken dependency does not
    /// empty the backlog into rejected at full speed.
    /// </summary>
    public TimeSpan ConsumerFailureBackoff { get; set; } = DefaultConsumerFailureBackoff;

    /// <summary>The longest pause of a failing consumer and of a timed-out delivery's redelivery.</summary>
    public TimeSpan ConsumerMaxBackoff { get; set; } = DefaultConsumerMaxBackoff;

    /// <summary>
    /// How long a long-running job (<see cref="ILongRunningConsumerGrain"/>) is held without a renewal from its
    /// silo (renewed every third of it, at least twice a second). When it passes — the silo died or hangs — the
    /// delivery counts one attempt and is handed out again, as a call that timed out. Checked every
    /// <see cref="HeartbeatInterval"/>, so at least that.
    /// </summary>
    public TimeSpan JobLease { get; set; } = DefaultJobLease;

    /// <summary>
    /// How long a long-running job may run. Past it the job's token fires and the delivery goes to rejected with
    /// <c>rmq-reason: max-run-time</c>; what the run returns later is dropped. At most one day.
    /// </summary>
    public TimeSpan JobMaxRunTime { get; set; } = DefaultJobMaxRunTime;

    /// <summary>
    /// A consuming queue that has work (ready or prefetched deliveries, or Redis failing) but has handed
    /// nothing to a consumer and finished nothing for this long is reported as stalled: in
    /// <c>GetStats</c>, <c>/stats.json</c>, <c>/health</c> (degraded), the log and the
    /// <c>rmq.queue.stalled</c> gauge.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = DefaultStallTimeout;

    /// <summary>
    /// A recurring job's occurrence that has not been published this long after its time is <b>missed</b>
    /// (no silo ran, or Redis was unreachable), and the job's <see cref="MissedOccurrencePolicy"/> decides:
    /// fire it late once, or skip it. Default 1 minute; at least 1 s and at most 1 day.
    /// </summary>
    public TimeSpan RecurringMissedAfter { get; set; } = DefaultRecurringMissedAfter;
}
