using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Queue.Publishing;
using Rmq.Recurring;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// One queue, cluster-wide: validation, publishing and administration. Consuming is handed to a
/// <see cref="ConsumingEngine"/>, the one owner of the queue's rmq connection. Reentrant: no method
/// holds the grain across a Redis round trip; lifecycle changes (start, stop, add consumer, resume)
/// take turns through one gate, so none can undo another.
/// </summary>
[Reentrant]
internal sealed partial class QueueGrain(
    RedisQueueStore store,
    IOptions<RmqOptions> options,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    RmqMetrics metrics,
    LocalQueueStatuses statuses,
    ILogger<QueueGrain> logger,
    RecurringJobs recurring) : Grain, IQueueGrain
{
    private const string NameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxPushChain = 100;
    private static readonly TimeSpan DeactivationGrace = TimeSpan.FromSeconds(2);

    /// <summary>The longest poll interval and batch timeout: longer ones are surely mistakes, and would overflow date arithmetic.</summary>
    private static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    private readonly RmqOptions _options = options.Value;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private string _name = "";
    private string? _nameProblem;
    private QueuePublishing _publishing = null!;
    private string? _pushQueue;
    private RetryPolicy? _retryPolicy;
    private ConsumingEngine? _engine;
    private IGrainTimer? _resumeRetry;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();
        _nameProblem = QueueNames.Problem(_name);
        _publishing = new QueuePublishing(_name, store, _options.MaxPayloadBytes, metrics, () => _engine?.Wake(), ArmScheduler);
        if (_nameProblem is not null) return;
        await TryResumeAsync();
        // Scheduled deliveries are this activation's to move from now on (the cleaner is the safety net).
        StartScheduler();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopResumeRetry();
        // Scheduled deliveries stay in Redis; the next activation's scheduler, or the cleaner, moves them.
        // No new timer from here on (retries applied while the engine stops would arm one).
        _deactivating = true;
        _scheduler?.Dispose();
        _scheduler = null;
        // The configuration stays in Redis: the next activation, on any silo, resumes consuming.
        if (_engine is { } engine)
        {
            try
            {
                await engine.StopAsync().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Deactivation cannot wait longer for consumers: what they hold stays in unacked, the
                // heartbeat is deleted, and a cleaner returns it to ready.
                LogStopCut(_name, engine.Connection ?? "(none)");
                engine.Abandon();
                await engine.Completion.WaitAsync(DeactivationGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // Publishing: the component owns it (Publishing/QueuePublishing.cs); the grain checks the name and routes.
    public Task<PublishResult> Publish(RmqMessage message)
    {
        EnsureValidName();
        return _publishing.Publish(message);
    }

    public Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages)
    {
        EnsureValidName();
        return _publishing.PublishBatch(messages);
    }

    public Task Publish(string payload)
    {
        EnsureValidName();
        return _publishing.Publish(payload);
    }

    public Task PublishBytes(byte[] payload)
    {
        EnsureValidName();
        return _publishing.PublishBytes(payload);
    }

    public Task PublishBatch(IReadOnlyList<string> payloads)
    {
        EnsureValidName();
        return _publishing.PublishBatch(payloads);
    }

    public Task PublishBytesBatch(IReadOnlyList<byte[]> payloads)
    {
        EnsureValidName();
        return _publishing.PublishBytesBatch(payloads);
    }

    public Task<bool> CancelScheduled(string id)
    {
        EnsureValidName();
        return _publishing.CancelScheduled(id);
    }

    public async Task StartConsuming(int prefetchLimit, TimeSpan pollInterval)
    {
        EnsureValidName();
        CheckConsumingSettings(prefetchLimit, pollInterval);
        ConsumingEngine? engine;
        await _lifecycle.WaitAsync();
        try
        {
            // Start-up code calls this on every boot: a release with other settings changes them.
            engine = _engine is { } running
                ? await ChangeSettingsAsync(running, prefetchLimit, pollInterval)
                : await StartEngineAsync(prefetchLimit, pollInterval);
        }
        finally
        {
            _lifecycle.Release();
        }
        if (engine is not null) await engine.FirstAttempt;
    }

    /// <summary>StartConsuming of a queue that is not consuming here: persists the settings, then starts the engine.</summary>
    private async Task<ConsumingEngine> StartEngineAsync(int prefetchLimit, TimeSpan pollInterval)
    {
        // Persisted first: if Redis is unreachable the caller learns it, and nothing was started.
        // A pause persisted earlier (this activation could not read it yet) holds: only Resume and
        // StopConsuming end a pause.
        var paused = await store.SaveConsumingAsync(_name, prefetchLimit, pollInterval);
        if (_resumeRetry is not null)
        {
            // The activation's resume never read the configuration: what else is persisted (push queue,
            // retry policy) must not be lost to this engine.
            _pushQueue = await store.LoadPushQueueAsync(_name);
            _retryPolicy = await store.LoadRetryPolicyAsync(_name);
        }
        StopResumeRetry();
        _publishing.Listed = true;
        var engine = NewEngine(prefetchLimit, pollInterval);
        if (paused) engine.Pause();
        Start(engine);
        return engine;
    }

    private static void CheckConsumingSettings(int prefetchLimit, TimeSpan pollInterval)
    {
        if (prefetchLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(prefetchLimit), prefetchLimit, $"prefetchLimit must be at least 1, but it is {prefetchLimit}.");
        if (pollInterval <= TimeSpan.Zero || pollInterval > MaxInterval)
            throw new ArgumentOutOfRangeException(nameof(pollInterval), pollInterval, $"pollInterval must be positive and at most {MaxInterval}, but it is {pollInterval}.");
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
        if (batchTimeout <= TimeSpan.Zero || batchTimeout > MaxInterval)
            throw new ArgumentOutOfRangeException(nameof(batchTimeout), batchTimeout, $"batchTimeout must be positive and at most {MaxInterval}, but it is {batchTimeout}.");
        return AddSlotAsync(tag, consumer.GetGrainId(), batchSize, batchTimeout);
    }

    private async Task<string> AddSlotAsync(string tag, GrainId grain, int batchSize, TimeSpan batchTimeout)
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_engine is not { IsStopping: false } engine)
                throw new InvalidOperationException($"Queue '{_name}' is not consuming; call StartConsuming before adding consumers.");
            if (engine.Consumers.FirstOrDefault(c => c.Grain == grain) is { } existing) return existing.Name;

            var registration = new ConsumerRegistration($"{tag}-{RandomNameSuffix()}", grain, batchSize, batchTimeout);
            // Persisted first, so that every consumer that gets deliveries is restored by a re-activation.
            await store.SaveConsumerAsync(_name, registration.Name, registration.Encode());
            engine.AddConsumer(CreateSlot(registration));
            WarnAboutLimits(engine, registration);
            // Informational (Go rmq's stats count it); a new connection registers every consumer name.
            if (engine.Connection is { } connection)
            {
                try { await store.AddConsumerNameAsync(connection, _name, registration.Name); }
                catch (Exception e) when (Faults.IsRedis(e)) { LogConsumerNameFailed(_name, registration.Name, e); }
            }
            return registration.Name;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task StopConsuming()
    {
        EnsureValidName();
        await _lifecycle.WaitAsync();
        try
        {
            StopResumeRetry();
            var engine = _engine;
            // Asked to stop before Redis is touched: the engine must not restore the configuration
            // that is being cleared.
            var stopped = engine?.StopAsync() ?? Task.CompletedTask;
            try
            {
                await store.ClearConsumingAsync(_name);
            }
            finally
            {
                await stopped;
                _engine = null;
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public Task Pause() => SetPausedAsync(true);

    public Task Resume() => SetPausedAsync(false);

    /// <summary>Pause and Resume: persisted first, then told to the engine, through the lifecycle gate.</summary>
    private async Task SetPausedAsync(bool paused)
    {
        EnsureValidName();
        await _lifecycle.WaitAsync();
        try
        {
            if (_engine is not { IsStopping: false } engine)
                throw new InvalidOperationException(
                    $"Queue '{_name}' is not consuming; call StartConsuming before {(paused ? "Pause" : "Resume")}.");
            if (engine.IsPaused == paused) return;
            // Persisted first: if Redis is unreachable the caller learns it and the engine carries on as
            // it was. Checkpoint: if the silo dies after the write, the next activation starts as asked.
            await store.SavePausedAsync(_name, paused);
            if (paused) engine.Pause();
            else engine.Resume();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task SetRetryPolicy(RetryPolicy? policy)
    {
        EnsureValidName();
        policy?.Validate();
        await _lifecycle.WaitAsync();
        try
        {
            // Persisted first: if Redis is unreachable the caller learns it and nothing changes.
            await store.SaveRetryPolicyAsync(_name, policy);
            _retryPolicy = policy;
            if (_engine is { } engine) engine.RetryPolicy = policy;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public Task<RetryPolicy?> GetRetryPolicy()
    {
        EnsureValidName();
        return store.LoadRetryPolicyAsync(_name);
    }

    public async Task SetPushQueue(string pushQueueName)
    {
        EnsureValidName();
        if (pushQueueName is not null) CheckPushQueue(pushQueueName);
        await _lifecycle.WaitAsync();
        try
        {
            if (pushQueueName is not null) await RejectPushCycleAsync(pushQueueName);
            await store.SavePushQueueAsync(_name, pushQueueName);
            if (pushQueueName is not null) await store.ListQueueAsync(pushQueueName);
            _pushQueue = pushQueueName;
            if (_engine is { } engine) engine.PushQueue = pushQueueName;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private void CheckPushQueue(string pushQueueName)
    {
        QueueNames.Validate(pushQueueName, nameof(pushQueueName));
        if (pushQueueName == _name)
            throw new ArgumentException($"Invalid pushQueueName: queue '{_name}' cannot push to itself; pushed deliveries would come straight back.", nameof(pushQueueName));
    }

    /// <summary>Follows the push queues from <paramref name="target"/>; coming back here would circle deliveries forever.</summary>
    private async Task RejectPushCycleAsync(string target)
    {
        var chain = new List<string> { _name, target };
        var next = target;
        for (var i = 0; i < MaxPushChain; i++)
        {
            next = await store.LoadPushQueueAsync(next);
            if (next is null) return;
            chain.Add(next);
            if (next == _name)
                throw new ArgumentException(
                    $"Invalid pushQueueName: pushing from '{_name}' to '{target}' makes a cycle ({string.Join(" → ", chain)}); pushed deliveries would circle forever. Clear the push queue of one of them first (SetPushQueue(null)).",
                    "pushQueueName");
            if (chain.IndexOf(next) < chain.Count - 1) return; // a cycle further on, not through this queue
        }
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
        // Recurring jobs before the scheduled set that holds their pending occurrences: a job still defined
        // after the purge could schedule its next occurrence again.
        var recurringJobs = await store.PurgeRecurringAsync(_name);
        // Deleted before unlisting: a scheduled delivery must not turn up later in a destroyed queue's ready.
        var scheduled = await store.PurgeScheduledAsync(_name);
        await store.DeleteCountersAsync(_name);
        await store.UnlistQueueAsync(_name);
        _publishing.Listed = false;
        return new QueueDestroyResult(ready, rejected, scheduled, recurringJobs);
    }

    public async Task<IReadOnlyList<string>> Drain(long count)
    {
        EnsureValidName();
        CheckMax(count, nameof(count));
        var elements = await store.DrainAsync(_name, count);
        // Decoding never throws: every popped element is returned (a faulty header as the raw element).
        return elements.ConvertAll(raw =>
            Encoding.UTF8.GetString(HeaderCodec.TryDecode(raw, out _, out var payload, out _) ? payload : raw));
    }

    public Task<long> Remove(string payload, long count, bool removeFromRejected)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return store.RemoveAsync(_name, Encoding.UTF8.GetBytes(payload), count, removeFromRejected);
    }

    public async Task<QueueStats> GetStats()
    {
        EnsureValidName();
        var stats = await store.GetStatsAsync(_name);
        return stats with { Consuming = _engine?.Status ?? ConsumingStatus.NotConsuming };
    }

    public Task<ConsumingStatus> GetConsumingStatus()
    {
        EnsureValidName();
        return Task.FromResult(_engine?.Status ?? ConsumingStatus.NotConsuming);
    }

    public Task<string?> GetConnectionName()
    {
        EnsureValidName();
        return Task.FromResult(_engine?.Connection);
    }

    /// <summary>
    /// Resumes the persisted consuming configuration, if any (after a restart or a silo's death). When
    /// Redis cannot be read, a timer tries again until it can; it ends as soon as the configuration is read.
    /// </summary>
    private async Task TryResumeAsync()
    {
        ConsumingConfig config;
        try
        {
            config = await store.LoadConsumingAsync(_name);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            // Not fatal: publishes report the outage themselves, and the timer retries the resume.
            LogResumeFailed(_name, e);
            _resumeRetry ??= this.RegisterGrainTimer(RetryResumeAsync,
                new GrainTimerCreationOptions(_options.HeartbeatInterval, _options.HeartbeatInterval) { Interleave = true, KeepAlive = true });
            return;
        }
        StopResumeRetry();
        _pushQueue = config.PushQueue;
        _retryPolicy = config.RetryPolicy;
        if (config.RetryPolicyUnreadable) LogRetryPolicyUnreadable(_name);
        if (config.PrefetchLimit is not int limit || _engine is not null) return;

        var engine = NewEngine(limit, config.PollInterval);
        foreach (var (name, value) in config.Consumers)
        {
            if (ConsumerRegistration.TryDecode(name, value) is { } registration) engine.AddConsumer(CreateSlot(registration));
            else LogBadRegistration(_name, name, value);
        }
        _publishing.Listed = true;
        if (config.Paused) engine.Pause();
        Start(engine);
        LogResumed(_name, limit, engine.Dispatcher.Slots.Count, config.Paused);
        // Activation waits for the connection's registration (or its first failure), so the queue's
        // first caller sees it consuming.
        await engine.FirstAttempt;
    }

    private async Task RetryResumeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_resumeRetry is not null) await TryResumeAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private void StopResumeRetry()
    {
        _resumeRetry?.Dispose();
        _resumeRetry = null;
    }

    private ConsumingEngine NewEngine(int prefetchLimit, TimeSpan pollInterval)
    {
        var engine = new ConsumingEngine(_name, prefetchLimit, pollInterval, _pushQueue, store, _options, metrics, statuses, logger,
            () => $"{_name}@{SiloTag()}-{RandomNameSuffix()}",
            () => membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) == SiloStatus.Active,
            silo.SiloAddress.ToParsableString(),
            (callback, period) => this.RegisterGrainTimer(callback, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = true }))
        {
            RetryPolicy = _retryPolicy,
            RetriesScheduled = ArmScheduler,
        };
        _engine = engine;
        return engine;
    }

    private void Start(ConsumingEngine engine)
    {
        engine.Start(restore: false);
        // A consuming queue's scheduler keeps looking (see MoveDueAsync), even if it had stopped for want of work.
        StartScheduler();
        _ = ForgetWhenClosedAsync(engine);
    }

    /// <summary>An engine that closes by itself (it gave up stopping) is forgotten, so consuming can start again.</summary>
    private async Task ForgetWhenClosedAsync(ConsumingEngine engine)
    {
        // A defect that ended the engine was logged as an error by the engine itself.
        await engine.Completion.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        if (_engine != engine) return;
        _engine = null;
        // Not stopped on purpose (it gave up stopping, or failed): the configuration is still in Redis,
        // so read it again and resume, as a new activation would.
        if (engine.IsStopping) return;
        await _lifecycle.WaitAsync();
        try
        {
            if (_engine is null) await TryResumeAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private ConsumerSlot CreateSlot(ConsumerRegistration registration) => registration.IsBatch
        ? new ConsumerSlot(registration, null, GrainFactory.GetGrain<IBatchConsumerGrain>(registration.Grain))
        : new ConsumerSlot(registration, GrainFactory.GetGrain<IConsumerGrain>(registration.Grain), null);

    private void WarnAboutLimits(ConsumingEngine engine, ConsumerRegistration added)
    {
        var consumers = engine.Dispatcher.Slots.Count;
        if (consumers > engine.PrefetchLimit)
            LogTooManyConsumers(_name, consumers, engine.PrefetchLimit);
        if (added.IsBatch && added.BatchSize > engine.PrefetchLimit)
            LogBatchLargerThanPrefetch(_name, added.Name, added.BatchSize, engine.PrefetchLimit);
    }

    private void EnsureValidName()
    {
        if (_nameProblem is not null)
            throw new ArgumentException($"Invalid queue name: {_nameProblem}. Use GetGrain<IQueueGrain>(name) with a valid name.", "queueName");
    }

    private byte[] CheckSize(byte[] element, string parameter) => PayloadLimit.Check(element, _options.MaxPayloadBytes, parameter);

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
