using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// One queue, cluster-wide; while consuming it is also the queue's rmq connection. Reentrant: no
/// method holds the grain across a Redis round trip, and every state change happens between awaits.
/// </summary>
[Reentrant]
internal sealed partial class QueueGrain(
    RedisQueueStore store,
    IOptions<RmqOptions> options,
    ILocalSiloDetails silo,
    RmqMetrics metrics,
    ILogger<QueueGrain> logger) : Grain, IQueueGrain
{
    private const string NameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly RmqOptions _options = options.Value;
    private string _name = "";
    private string? _nameProblem;
    private bool _listed;
    private string? _pushQueue;
    private ConsumingSession? _session;
    private Task _sessionReady = Task.CompletedTask;
    private bool _resumePending;
    private IGrainTimer? _heartbeat;
    private int _heartbeatFailures;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();
        _nameProblem = QueueNames.Problem(_name);
        if (_nameProblem is not null) return;
        try
        {
            await ResumeAsync();
        }
        catch (RedisUnavailableException e)
        {
            // Not fatal: publishes report the outage themselves, and the timer retries the resume.
            LogResumeFailed(_name, e);
            _resumePending = true;
            EnsureTimer();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The configuration stays in Redis: the next activation, on any silo, resumes consuming.
        if (_session is { } session) await CloseSessionAsync(session, cancellationToken);
        StopTimer();
    }

    public Task Publish(string payload)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return PublishCore(CheckSize(Encoding.UTF8.GetBytes(payload), nameof(payload)));
    }

    public Task PublishBytes(byte[] payload)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return PublishCore(CheckSize(payload, nameof(payload)));
    }

    public Task PublishWithHeaders(string payload, IReadOnlyDictionary<string, string[]> headers)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(headers);
        return PublishCore(CheckSize(HeaderCodec.Encode(Encoding.UTF8.GetBytes(payload), headers), nameof(payload)));
    }

    public async Task PublishBatch(IReadOnlyList<string> payloads)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payloads);
        if (payloads.Count == 0) return;
        var elements = new RedisValue[payloads.Count];
        for (var i = 0; i < elements.Length; i++)
        {
            if (payloads[i] is null)
                throw new ArgumentException($"payloads[{i}] is null; every payload of a batch must be a string (nothing was published).", nameof(payloads));
            elements[i] = CheckSize(Encoding.UTF8.GetBytes(payloads[i]), $"payloads[{i}]");
        }
        await store.PublishAsync(_name, elements, listQueue: !_listed);
        Published(elements.Length);
    }

    private async Task PublishCore(byte[] element)
    {
        await store.PublishAsync(_name, element, listQueue: !_listed);
        Published(1);
    }

    private void Published(int count)
    {
        metrics.Published(_name, count);
        _listed = true;
        _session?.Wake();
    }

    public async Task StartConsuming(int prefetchLimit, TimeSpan pollInterval)
    {
        EnsureValidName();
        if (prefetchLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(prefetchLimit), prefetchLimit, $"prefetchLimit must be at least 1, but it is {prefetchLimit}.");
        if (pollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, $"pollInterval must be positive, but it is {pollInterval}.");
        await _sessionReady;
        if (_session is { IsStopping: false } running)
        {
            if (running.PrefetchLimit == prefetchLimit && running.PollInterval == pollInterval) return;
            throw new InvalidOperationException(
                $"Queue '{_name}' is already consuming with prefetchLimit {running.PrefetchLimit} and pollInterval {running.PollInterval}; call StopConsuming before starting with other settings.");
        }
        if (_session is not null)
            throw new InvalidOperationException($"Queue '{_name}' is stopping consuming; wait for StopConsuming to complete, then start again.");

        var session = NewSession(prefetchLimit, pollInterval);
        _session = session;
        await Opening(OpenSessionAsync(session, persist: true));
    }

    public Task<string> AddConsumer(string tag, IConsumerGrain consumer)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(consumer);
        return AddSlotAsync(tag, consumer.GetGrainId(), 0, TimeSpan.Zero);
    }

    public Task<string> AddBatchConsumer(string tag, IBatchConsumerGrain consumer, int batchSize, TimeSpan batchTimeout)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(consumer);
        if (batchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be at least 1, but it is {batchSize}.");
        if (batchTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(batchTimeout), batchTimeout, $"batchTimeout must be positive, but it is {batchTimeout}.");
        return AddSlotAsync(tag, consumer.GetGrainId(), batchSize, batchTimeout);
    }

    private async Task<string> AddSlotAsync(string tag, GrainId grain, int batchSize, TimeSpan batchTimeout)
    {
        await _sessionReady;
        var session = _session;
        if (session is null || session.IsStopping)
            throw new InvalidOperationException($"Queue '{_name}' is not consuming; call StartConsuming before adding consumers.");
        if (session.Consumers.FirstOrDefault(c => c.Grain == grain) is { } existing) return existing.Name;

        var registration = new ConsumerRegistration($"{tag}-{RandomNameSuffix()}", grain, batchSize, batchTimeout);
        var slot = CreateSlot(registration);
        session.AddConsumer(slot);
        WarnAboutLimits(session, registration);
        // Registered in memory first so deliveries flow at once; if Redis fails the consumer still
        // works here but would not be restored by another activation, so report the failure.
        await store.AddConsumerNameAsync(session.Connection, _name, registration.Name);
        await store.SaveConsumerAsync(_name, registration.Name, registration.Encode());
        return registration.Name;
    }

    public async Task StopConsuming()
    {
        EnsureValidName();
        await _sessionReady;
        await store.ClearConsumingAsync(_name);
        _resumePending = false;
        if (_session is { } session) await CloseSessionAsync(session);
    }

    public async Task SetPushQueue(string pushQueueName)
    {
        EnsureValidName();
        if (pushQueueName is not null)
        {
            QueueNames.Validate(pushQueueName, nameof(pushQueueName));
            if (pushQueueName == _name)
                throw new ArgumentException($"Invalid pushQueueName: queue '{_name}' cannot push to itself; pushed deliveries would come straight back.", nameof(pushQueueName));
        }
        await store.SavePushQueueAsync(_name, pushQueueName);
        if (pushQueueName is not null) await store.ListQueueAsync(pushQueueName);
        _pushQueue = pushQueueName;
        if (_session is { } session) session.PushQueue = pushQueueName;
    }

    public Task<long> PurgeReady()
    {
        EnsureValidName();
        return store.PurgeReadyAsync(_name);
    }

    public Task<long> PurgeRejected()
    {
        EnsureValidName();
        return store.PurgeRejectedAsync(_name);
    }

    public Task<long> ReturnRejected(long max)
    {
        EnsureValidName();
        CheckMax(max, nameof(max));
        return store.ReturnRejectedAsync(_name, max);
    }

    public Task<long> ReturnUnacked(long max)
    {
        EnsureValidName();
        CheckMax(max, nameof(max));
        return store.ReturnUnackedOfDeadConnectionsAsync(_name, max);
    }

    public async Task<QueueDestroyResult> Destroy()
    {
        EnsureValidName();
        await StopConsuming();
        var ready = await store.PurgeReadyAsync(_name);
        var rejected = await store.PurgeRejectedAsync(_name);
        await store.UnlistQueueAsync(_name);
        _listed = false;
        return new QueueDestroyResult(ready, rejected);
    }

    public async Task<IReadOnlyList<string>> Drain(long count)
    {
        EnsureValidName();
        CheckMax(count, nameof(count));
        var elements = await store.DrainAsync(_name, count);
        return elements.ConvertAll(raw =>
            Encoding.UTF8.GetString(HeaderCodec.TryDecode(raw, out _, out var payload, out _) ? payload : raw));
    }

    public Task<long> Remove(string payload, long count, bool removeFromRejected)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return store.RemoveAsync(_name, Encoding.UTF8.GetBytes(payload), count, removeFromRejected);
    }

    public Task<QueueStats> GetStats()
    {
        EnsureValidName();
        return store.GetStatsAsync(_name);
    }

    public async Task<string?> GetConnectionName()
    {
        EnsureValidName();
        await _sessionReady;
        return _session is { IsStopping: false } s ? s.Connection : null;
    }

    /// <summary>Resumes the persisted consuming configuration, if any (after a restart or a silo's death).</summary>
    private async Task ResumeAsync()
    {
        var config = await store.LoadConsumingAsync(_name);
        _pushQueue = config.PushQueue;
        _resumePending = false;
        if (config.PrefetchLimit is not int limit || _session is not null) return;

        var session = NewSession(limit, config.PollInterval);
        foreach (var (name, value) in config.Consumers)
        {
            if (ConsumerRegistration.TryDecode(name, value) is { } registration) session.AddConsumer(CreateSlot(registration));
            else LogBadRegistration(_name, name, value);
        }
        _session = session;
        await Opening(OpenSessionAsync(session, persist: false));
        LogResumed(_name, session.Connection, limit, session.ConsumerCount);
    }

    private ConsumingSession NewSession(int prefetchLimit, TimeSpan pollInterval) =>
        new(_name, $"{_name}@{SiloTag()}-{RandomNameSuffix()}", prefetchLimit, pollInterval, store, _options, metrics, logger)
        {
            PushQueue = _pushQueue,
        };

    /// <summary>Lets other calls wait for an opening session without seeing its failure twice.</summary>
    private Task Opening(Task open)
    {
        _sessionReady = open.ContinueWith(static _ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Current);
        return open;
    }

    private async Task OpenSessionAsync(ConsumingSession session, bool persist)
    {
        try
        {
            await store.RegisterConnectionAsync(session.Connection, _name, silo.SiloAddress.ToParsableString(), _options.HeartbeatTtl,
                session.Consumers.Select(c => c.Name).ToList());
            if (persist) await store.SaveConsumingAsync(_name, session.PrefetchLimit, session.PollInterval);
        }
        catch
        {
            if (_session == session) _session = null;
            throw;
        }
        _listed = true;
        _resumePending = false;
        _heartbeatFailures = 0;
        session.Start();
        EnsureTimer();
    }

    private async Task CloseSessionAsync(ConsumingSession session, CancellationToken cancellationToken = default)
    {
        try
        {
            await session.StopAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Deactivation cannot wait longer for consumers: what they hold stays in unacked, the
            // heartbeat is deleted below, and a cleaner returns it to ready.
            LogStopCut(_name, session.Connection);
            session.Abandon();
        }
        try
        {
            await store.CloseConnectionAsync(session.Connection, _name);
        }
        catch (RedisUnavailableException e)
        {
            // The heartbeat expires by itself; a cleaner then returns whatever is left.
            LogCloseFailed(_name, session.Connection, e);
        }
        if (_session == session) _session = null;
        if (!_resumePending) StopTimer();
    }

    private async Task HeartbeatAsync()
    {
        if (_session is not { IsStopping: false } session)
        {
            if (_resumePending && _session is null)
            {
                try { await ResumeAsync(); }
                catch (RedisUnavailableException) { /* still down; next tick tries again */ }
            }
            return;
        }
        bool registered;
        try
        {
            registered = await store.HeartbeatAsync(session.Connection, _options.HeartbeatTtl);
            _heartbeatFailures = 0;
        }
        catch (RedisUnavailableException e)
        {
            _heartbeatFailures++;
            LogHeartbeatFailed(_name, _heartbeatFailures, e.Message);
            if (_heartbeatFailures < _options.HeartbeatErrorLimit || _session != session) return;
            // As Go rmq: stop before the TTL can expire, so a cleaner never returns deliveries that
            // consumers are still working on. Resume with a new connection once Redis answers.
            LogHeartbeatLimit(_name, session.Connection);
            session.Abandon();
            _session = null;
            _resumePending = true;
            return;
        }
        if (!registered && _session == session) await RecoverFromCleaningAsync(session);
    }

    /// <summary>
    /// A cleaner took this connection for dead (we were paused past the TTL, or our silo was declared
    /// dead) and returned its deliveries. Stop using its unacked list — nobody would ever clean it
    /// again — send back whatever was fetched into it since, and carry on with a new connection.
    /// Deliveries consumers still hold were already returned: they may be delivered twice.
    /// </summary>
    private async Task RecoverFromCleaningAsync(ConsumingSession session)
    {
        LogZombie(_name, session.Connection);
        session.Abandon();
        _session = null;
        _resumePending = true;
        try
        {
            await store.ReturnUnackedAsync(session.Connection, _name, long.MaxValue);
            await store.CloseConnectionAsync(session.Connection, _name);
            await ResumeAsync();
        }
        catch (RedisUnavailableException e)
        {
            LogResumeFailed(_name, e);
        }
    }

    private void EnsureTimer() =>
        _heartbeat ??= this.RegisterGrainTimer(HeartbeatAsync,
            new GrainTimerCreationOptions(_options.HeartbeatInterval, _options.HeartbeatInterval) { Interleave = true, KeepAlive = true });

    private void StopTimer()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
    }

    private ConsumerSlot CreateSlot(ConsumerRegistration registration) => registration.IsBatch
        ? new ConsumerSlot(registration, null, GrainFactory.GetGrain<IBatchConsumerGrain>(registration.Grain))
        : new ConsumerSlot(registration, GrainFactory.GetGrain<IConsumerGrain>(registration.Grain), null);

    private void WarnAboutLimits(ConsumingSession session, ConsumerRegistration added)
    {
        if (session.ConsumerCount > session.PrefetchLimit)
            LogTooManyConsumers(_name, session.ConsumerCount, session.PrefetchLimit);
        if (added.IsBatch && added.BatchSize > session.PrefetchLimit)
            LogBatchLargerThanPrefetch(_name, added.Name, added.BatchSize, session.PrefetchLimit);
    }

    private void EnsureValidName()
    {
        if (_nameProblem is not null)
            throw new ArgumentException($"Invalid queue name: {_nameProblem}. Use GetGrain<IQueueGrain>(name) with a valid name.", "queueName");
    }

    private byte[] CheckSize(byte[] element, string parameter)
    {
        if (element.LongLength > _options.MaxPayloadBytes)
            throw new ArgumentException(
                $"{parameter} is {element.LongLength} bytes; the limit is {_options.MaxPayloadBytes} bytes (Rmq:MaxPayloadBytes). Nothing was published.", parameter);
        return element;
    }

    private static void CheckMax(long value, string parameter)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must not be negative, but it is {value}.");
    }

    private string SiloTag()
    {
        var name = silo.Name;
        var chars = name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-').ToArray();
        return chars.Length == 0 ? "silo" : new string(chars);
    }

    private static string RandomNameSuffix() => RandomNumberGenerator.GetString(NameAlphabet, 6);
}
