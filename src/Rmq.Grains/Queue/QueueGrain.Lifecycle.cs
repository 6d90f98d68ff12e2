using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>The consuming lifecycle: starting, consumers, stopping, pause and resume, and resuming the persisted configuration on activation — each change through the lifecycle gate, persisted before the engine is told (changing a running queue is in QueueGrain.Declaring.cs).</summary>
internal sealed partial class QueueGrain
{
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
            UseFlowLimits(await store.LoadFlowLimitsAsync(_name));
            await UseDeadLetterHandlerAsync(await store.LoadDeadLetterHandlerAsync(_name));
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

    public Task<string> AddLongRunningConsumer(string tag, ILongRunningConsumerGrain consumer, JobLimits? limits = null)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(tag);
        ArgumentNullException.ThrowIfNull(consumer);
        CheckJobLimits(limits, _options);
        return AddSlotAsync(tag, consumer.GetGrainId(), 0, TimeSpan.Zero, longRunning: true, limits);
    }

    /// <summary>A consumer's own lease and maximum run time, checked as the options' are (RmqOptionsValidator).</summary>
    internal static void CheckJobLimits(JobLimits? limits, Hosting.RmqOptions options)
    {
        if (limits is null) return;
        limits.EnsureValid();
        var lease = limits.Lease ?? options.JobLease;
        var maxRunTime = limits.MaxRunTime ?? options.JobMaxRunTime;
        if (lease < options.HeartbeatInterval || lease > JobContext.LongestMaxRunTime)
            throw new ArgumentOutOfRangeException(nameof(limits), lease,
                $"The job lease is {lease}; it must be at least Rmq:HeartbeatInterval ({options.HeartbeatInterval}), the period at which leases are checked, and at most {JobContext.LongestMaxRunTime}.");
        if (maxRunTime <= lease || maxRunTime > options.JobMaxRunTime)
            throw new ArgumentOutOfRangeException(nameof(limits), maxRunTime,
                $"The maximum run time is {maxRunTime}; it must be longer than the lease ({lease}) and at most Rmq:JobMaxRunTime ({options.JobMaxRunTime}), which Orleans' MaxRequestProcessingTime follows (raise that setting for longer jobs).");
    }

    private async Task<string> AddSlotAsync(string tag, GrainId grain, int batchSize, TimeSpan batchTimeout, bool longRunning = false, JobLimits? limits = null)
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_engine is not { IsStopping: false } engine)
                throw new InvalidOperationException($"Queue '{_name}' is not consuming; call StartConsuming before adding consumers.");
            if (engine.Consumers.FirstOrDefault(c => c.Grain == grain) is { } existing) return existing.Name;

            var registration = new ConsumerRegistration($"{tag}-{RandomNameSuffix()}", grain, batchSize, batchTimeout, longRunning, limits?.Lease, limits?.MaxRunTime);
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
        UseFlowLimits(config.Limits);
        if (config.LimitsUnreadable) LogFlowLimitsUnreadable(_name);
        if (config.DeadLetterHandlerUnreadable) LogDeadLetterHandlerUnreadable(_name);
        await UseDeadLetterHandlerAsync(config.DeadLetterHandler);
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
            (callback, period) => this.RegisterGrainTimer(callback, new GrainTimerCreationOptions(period, period) { Interleave = true, KeepAlive = true }),
            _flowGate)
        {
            RetryPolicy = _retryPolicy,
            DeadLetterHandler = _deadLetterHandler,
            DeadLettersApplied = () => _notifier?.Wake(),
            RetriesScheduled = ArmScheduler,
            SiloIsDead = s => membership.CurrentSnapshot.GetSiloStatus(s) == SiloStatus.Dead,
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

    private ConsumerSlot CreateSlot(ConsumerRegistration registration) =>
        registration.IsBatch ? new ConsumerSlot(registration, null, GrainFactory.GetGrain<IBatchConsumerGrain>(registration.Grain))
        : registration.IsLongRunning ? new ConsumerSlot(registration, null, null, GrainFactory.GetGrain<ILongRunningConsumerGrain>(registration.Grain))
        : new ConsumerSlot(registration, GrainFactory.GetGrain<IConsumerGrain>(registration.Grain), null);

    private void WarnAboutLimits(ConsumingEngine engine, ConsumerRegistration added)
    {
        var consumers = engine.Dispatcher.Slots.Count;
        if (consumers > engine.PrefetchLimit)
            LogTooManyConsumers(_name, consumers, engine.PrefetchLimit);
        if (added.IsBatch && added.BatchSize > engine.PrefetchLimit)
            LogBatchLargerThanPrefetch(_name, added.Name, added.BatchSize, engine.PrefetchLimit);
    }
}
