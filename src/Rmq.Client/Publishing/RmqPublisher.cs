using System.Collections.Concurrent;
using Rmq.Redis;
using Rmq.Redis.Servers;
using StackExchange.Redis;

namespace Rmq.Publishing;

/// <summary>
/// Publishes straight to Redis, the system of record — the fast path for producers. A publish is one
/// pipelined <c>LPUSH</c> (concurrent publishes to a queue share one), exactly the element the queue
/// grain would write (Go rmq's format), with the same validation and errors; consuming queues are woken
/// through Redis pub/sub, so they fetch at once. No Orleans round trip: the silos need not be reachable.
/// One instance per process; it is thread-safe and holds one StackExchange.Redis multiplexer.
/// </summary>
/// <example><code>
/// await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = "redis:6379");
/// await publisher.Queue("tasks").Publish("payload");
/// </code></example>
public sealed class RmqPublisher : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly string _endpoints;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly ConcurrentDictionary<string, PublishLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _listed = new(StringComparer.Ordinal);
    private readonly WakeCoalescer _wakes;
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase? _db;

    /// <summary>Creates a publisher; it connects on first use (or call <see cref="ConnectAsync"/>).</summary>
    /// <exception cref="ArgumentException">The options cannot work; the message names the option.</exception>
    public RmqPublisher(RmqPublisherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException($"Invalid RmqPublisherOptions: {problem}", nameof(options));
        Options = options;
        Keys = new RedisKeys(options.KeyDialect);
        _configuration = RedisConfiguration.Create(options.RedisConnectionString, options.RedisTlsCaCertificate);
        // Keep reconnecting in the background, and fail fast meanwhile: a publish during an outage
        // gets a clear RedisUnavailableException instead of a long hang.
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _endpoints = RedisConfiguration.Endpoints(_configuration);
        _wakes = new WakeCoalescer(Wake, TimeProvider.System);
    }

    /// <summary>The options in use.</summary>
    public RmqPublisherOptions Options { get; }

    internal RedisKeys Keys { get; }

    /// <summary>Creates a publisher and connects it.</summary>
    /// <exception cref="ArgumentException">The options cannot work; the message names the option.</exception>
    /// <exception cref="RedisServerNotSupportedException">The server answers but cannot run Rmq (no Lua, or scripts that are not atomic); the message names it, its version and what it lacks.</exception>
    public static async Task<RmqPublisher> ConnectAsync(Action<RmqPublisherOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new RmqPublisherOptions();
        configure?.Invoke(options);
        var publisher = new RmqPublisher(options);
        await publisher.DatabaseAsync(cancellationToken).ConfigureAwait(false);
        return publisher;
    }

    /// <summary>The queue named <paramref name="name"/>; throws <see cref="ArgumentException"/> for an invalid name.</summary>
    public QueuePublisher Queue(string name)
    {
        QueueNames.Validate(name, nameof(name));
        return new QueuePublisher(this, name);
    }

    /// <summary>The lane of <paramref name="queue"/>: one per queue and publisher.</summary>
    internal PublishLane Lane(string queue) => _lanes.GetOrAdd(queue, q => new PublishLane(this, q));

    /// <summary>
    /// Issues one <c>LPUSH</c> of one element and the queue's wake (the first push to a queue also lists
    /// it); the task completes when Redis has answered. Not async on the common path: the lane awaits it.
    /// </summary>
    internal Task IssuePush(string queue, RedisKey ready, RedisValue element)
    {
        if (_db is not { } db || !_listed.ContainsKey(queue)) return PushAsync(queue, ready, [element]);
        var pushed = db.ListLeftPushAsync(ready, element);
        // Issued after the LPUSH on the same connection: Redis runs the wake after the push.
        _wakes.Published(queue);
        return pushed;
    }

    /// <summary>
    /// The errors of a push, as <see cref="RedisUnavailableException"/> or (Redis over maxmemory)
    /// <see cref="RedisFullException"/>; anything else as it is.
    /// </summary>
    internal Exception Translate(Exception e, string operation = "LPUSH") =>
        PublishCommands.IsUnavailable(e) ? new RedisUnavailableException(_endpoints, operation, e, timedOut: e is TimeoutException)
        : PublishCommands.IsRedisFull(e) ? new RedisFullException(_endpoints, operation, e)
        : e;

    /// <summary>One <c>LPUSH</c> of several elements, in argument order.</summary>
    internal async Task PushAsync(string queue, RedisKey ready, RedisValue[] elements)
    {
        var db = _db ?? await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!_listed.ContainsKey(queue))
            {
                await ListAndPushAsync(db, queue, elements).ConfigureAwait(false);
                return;
            }
            var pushed = db.ListLeftPushAsync(ready, elements);
            _wakes.Published(queue);
            await pushed.ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e) || PublishCommands.IsRedisFull(e))
        {
            throw Translate(e);
        }
    }

    /// <summary>
    /// The unique publish (<see cref="PublishCommands.PushUniqueScript"/>); wakes the queue only when it
    /// published. The wake goes after the script's reply, so the woken engine finds the element.
    /// </summary>
    internal async Task<bool> PushUniqueAsync(string queue, string dedupKey, TimeSpan window, RedisValue element)
    {
        var db = _db ?? await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        bool published;
        try
        {
            published = await PublishCommands.PushUniqueAsync(db, Keys, queue, dedupKey, window, element, listQueue: !_listed.ContainsKey(queue)).ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e) || PublishCommands.IsRedisFull(e))
        {
            throw Translate(e, PublishCommands.PushUniqueOperation);
        }
        _listed[queue] = true;
        if (published) _wakes.Published(queue);
        return published;
    }

    /// <summary>
    /// A delayed or scheduled publish (<see cref="ScheduleCommands.ScheduleAsync"/>). Wakes the queue only
    /// when the deliveries went to ready at once; scheduled ones are moved by the queue's scheduler or
    /// the cleaner when due.
    /// </summary>
    internal async Task<bool> ScheduleAsync(string queue, bool isDelay, long milliseconds, string[] ids, RedisValue[] elements)
    {
        var db = _db ?? await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        bool atOnce;
        try
        {
            atOnce = await ScheduleCommands.ScheduleAsync(db, Keys, queue, isDelay, milliseconds, ids, elements, listQueue: !_listed.ContainsKey(queue)).ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e))
        {
            throw new RedisUnavailableException(_endpoints, ScheduleCommands.ScheduleOperation, e, timedOut: e is TimeoutException);
        }
        catch (Exception e) when (PublishCommands.IsRedisFull(e))
        {
            throw new RedisFullException(_endpoints, ScheduleCommands.ScheduleOperation, e);
        }
        _listed[queue] = true;
        if (atOnce) _wakes.Published(queue);
        return atOnce;
    }

    /// <summary>
    /// A deduplicated delayed or scheduled publish (<see cref="ScheduleCommands.ScheduleUniqueAsync"/>);
    /// returns the script's answer. Wakes the queue only when the delivery went to ready at once.
    /// </summary>
    internal async Task<long> ScheduleUniqueAsync(string queue, string dedupKey, TimeSpan window, bool isDelay, long milliseconds, string id, RedisValue element)
    {
        var db = _db ?? await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        long answer;
        try
        {
            answer = await ScheduleCommands.ScheduleUniqueAsync(db, Keys, queue, dedupKey, window, isDelay, milliseconds, id, element, listQueue: !_listed.ContainsKey(queue)).ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e) || PublishCommands.IsRedisFull(e))
        {
            throw Translate(e, ScheduleCommands.ScheduleUniqueOperation);
        }
        _listed[queue] = true;
        if (answer == 0) _wakes.Published(queue);
        return answer;
    }

    /// <summary>Cancels one scheduled delivery (<see cref="ScheduleCommands.CancelScript"/>).</summary>
    internal async Task<bool> CancelScheduledAsync(string queue, string id)
    {
        var db = _db ?? await DatabaseAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            return await ScheduleCommands.CancelAsync(db, Keys, queue, id).ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e))
        {
            throw new RedisUnavailableException(_endpoints, ScheduleCommands.CancelOperation, e, timedOut: e is TimeoutException);
        }
    }

    private async Task ListAndPushAsync(IDatabase db, string queue, RedisValue[] elements)
    {
        var pushed = PublishCommands.PushAsync(db, Keys, queue, elements, listQueue: true);
        _wakes.Published(queue);
        await pushed.ConfigureAwait(false);
        _listed[queue] = true;
    }

    private void Wake(string queue)
    {
        if (_db is { } db) PublishCommands.Wake(db, Keys, queue);
    }

    private ValueTask<IDatabase> DatabaseAsync(CancellationToken cancellationToken) =>
        _db is { } db ? ValueTask.FromResult(db) : new ValueTask<IDatabase>(ConnectCoreAsync(cancellationToken));

    private async Task<IDatabase> ConnectCoreAsync(CancellationToken cancellationToken)
    {
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_db is { } db) return db;
            _multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
            await CheckServerAsync(cancellationToken).ConfigureAwait(false);
            return _db = _multiplexer.GetDatabase();
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e))
        {
            throw new RedisUnavailableException(_endpoints, "connect", e, timedOut: e is TimeoutException);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>
    /// The servers this publisher talks to and what they can do (Redis 7, or one without script flags such
    /// as Garnet), found once at connect; empty when Redis did not answer then.
    /// </summary>
    public IReadOnlyList<ServerCapabilities> Servers { get; private set; } = [];

    // Once, when the connection is up: a server that cannot run Rmq's scripts is refused here, at connect,
    // rather than by the first unique or scheduled publish. Nothing answering yet is not a refusal: the
    // multiplexer keeps reconnecting, and publishes fail fast with RedisUnavailableException meanwhile.
    private async Task CheckServerAsync(CancellationToken cancellationToken)
    {
        if (!_multiplexer!.IsConnected) return;
        try
        {
            Servers = await ServerCheck.CheckAsync(_configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (PublishCommands.IsUnavailable(e))
        {
        }
        catch (RedisServerNotSupportedException)
        {
            await _multiplexer.DisposeAsync().ConfigureAwait(false);
            _multiplexer = null;
            throw;
        }
    }

    /// <summary>Closes the Redis connection after the commands in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null) await _multiplexer.DisposeAsync().ConfigureAwait(false);
        _connectGate.Dispose();
    }
}
