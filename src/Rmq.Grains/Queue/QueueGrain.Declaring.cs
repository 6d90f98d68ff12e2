using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>
/// Changing a consuming queue while it runs — its settings (UpdateConsuming, StartConsuming with other
/// settings), its consumers (RemoveConsumer) or all of it from a declaration (Declare, what AddRmqQueue
/// calls at silo start). Each change is persisted first, then the engine is restarted when it must be:
/// the old one stops (calls in flight finish and their outcomes are applied, prefetched deliveries go
/// back to the front of ready, its connection closes) before the new one opens, so nothing is lost and
/// nothing is delivered twice. All of it through the lifecycle gate.
/// </summary>
internal sealed partial class QueueGrain
{
    public async Task UpdateConsuming(int prefetchLimit, TimeSpan pollInterval)
    {
        EnsureValidName();
        CheckConsumingSettings(prefetchLimit, pollInterval);
        ConsumingEngine? restarted;
        await _lifecycle.WaitAsync();
        try
        {
            var engine = RunningEngine("UpdateConsuming");
            restarted = await ChangeSettingsAsync(engine, prefetchLimit, pollInterval);
        }
        finally
        {
            _lifecycle.Release();
        }
        if (restarted is not null) await restarted.FirstAttempt;
    }

    public async Task<bool> RemoveConsumer(string name)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(name);
        ConsumingEngine restarted;
        await _lifecycle.WaitAsync();
        try
        {
            var engine = RunningEngine("RemoveConsumer");
            var consumers = engine.Consumers.ToList();
            if (consumers.RemoveAll(c => c.Name == name) == 0) return false;
            // Persisted first: if the silo dies now, the next activation starts without it.
            await store.RemoveConsumersAsync(_name, [name]);
            restarted = await RestartAsync(engine, engine.PrefetchLimit, engine.PollInterval, consumers);
        }
        finally
        {
            _lifecycle.Release();
        }
        await restarted.FirstAttempt;
        return true;
    }

    public async Task<DeclarationOutcome> Declare(QueueDeclaration declaration)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(declaration);
        CheckDeclaration(declaration);
        var fingerprint = declaration.Fingerprint();
        ConsumingEngine? started = null;
        DeclarationOutcome outcome;
        await _lifecycle.WaitAsync();
        try
        {
            var inForce = await store.LoadDeclaredAsync(_name);
            if (inForce is { } mark && mark.Version > declaration.Version) return DeclarationOutcome.Superseded;
            if (declaration.PushQueue is not null) await RejectPushCycleAsync(declaration.PushQueue);
            (started, var changed) = await ApplyAsync(declaration);
            outcome = changed || inForce != (declaration.Version, fingerprint) ? DeclarationOutcome.Applied : DeclarationOutcome.Unchanged;
            // Last: the mark says the configuration above is in force. Checkpoint: a silo dying before it
            // leaves the mark old, and the next start applies the declaration again (it is idempotent).
            await store.SaveDeclaredAsync(_name, declaration.Version, fingerprint);
        }
        finally
        {
            _lifecycle.Release();
        }
        if (started is not null) await started.FirstAttempt;
        return outcome;
    }

    /// <summary>Persists and applies a declaration; returns the engine it started (if any) and whether anything changed.</summary>
    private async Task<(ConsumingEngine? Started, bool Changed)> ApplyAsync(QueueDeclaration declaration)
    {
        var changed = false;
        if (declaration.PushQueue != _pushQueue)
        {
            await store.SavePushQueueAsync(_name, declaration.PushQueue);
            if (declaration.PushQueue is not null) await store.ListQueueAsync(declaration.PushQueue);
            _pushQueue = declaration.PushQueue;
            if (_engine is { } e) e.PushQueue = _pushQueue;
            changed = true;
        }
        if (declaration.RetryPolicy != _retryPolicy)
        {
            await store.SaveRetryPolicyAsync(_name, declaration.RetryPolicy);
            _retryPolicy = declaration.RetryPolicy;
            if (_engine is { } e) e.RetryPolicy = _retryPolicy;
            changed = true;
        }
        var limits = declaration.Limits is { IsEmpty: false } l ? l : null;
        if (limits != _flowGate.InForce)
        {
            await store.SaveFlowLimitsAsync(_name, limits);
            UseFlowLimits(limits);
            changed = true;
        }
        if (declaration.DeadLetterHandler != _deadLetterHandler)
        {
            await store.SaveDeadLetterHandlerAsync(_name, declaration.DeadLetterHandler);
            await UseDeadLetterHandlerAsync(declaration.DeadLetterHandler);
            changed = true;
        }

        // The registrations: kept where grain and batch settings match (with their names), else replaced.
        var config = await store.LoadConsumingAsync(_name);
        var wanted = new List<ConsumerRegistration>();
        var removed = new List<string>();
        foreach (var (name, value) in config.Consumers)
        {
            var existing = ConsumerRegistration.TryDecode(name, value);
            if (existing is null || !declaration.Consumers.Any(d => Matches(d, existing)) || wanted.Any(w => w.Grain == existing.Grain))
                removed.Add(name);
            else wanted.Add(existing);
        }
        var added = declaration.Consumers
            .Where(d => !wanted.Any(w => Matches(d, w)))
            .Select(d => new ConsumerRegistration($"{d.Tag}-{RandomNameSuffix()}", d.Grain, d.BatchSize, d.BatchTimeout, d.IsLongRunning, d.Limits?.Lease, d.Limits?.MaxRunTime))
            .ToList();
        // Checkpoint: removed before added, and the engine changed after both: a silo dying in between
        // leaves Redis with a subset of the declaration, which the next start completes.
        await store.RemoveConsumersAsync(_name, removed);
        foreach (var registration in added) await store.SaveConsumerAsync(_name, registration.Name, registration.Encode());
        wanted.AddRange(added);
        changed |= removed.Count > 0 || added.Count > 0;

        if (_engine is not { IsStopping: false } engine)
        {
            // Not consuming here yet (first start, or stopped): start with the whole declaration.
            var paused = await store.SaveConsumingAsync(_name, declaration.PrefetchLimit, declaration.PollInterval);
            StopResumeRetry();
            _publishing.Listed = true;
            var started = NewEngine(declaration.PrefetchLimit, declaration.PollInterval);
            foreach (var registration in wanted) started.AddConsumer(CreateSlot(registration));
            if (paused) started.Pause();
            Start(started);
            LogDeclaredStart(_name, declaration.PrefetchLimit, wanted.Count, paused);
            return (started, true);
        }
        var sameSettings = engine.PrefetchLimit == declaration.PrefetchLimit && engine.PollInterval == declaration.PollInterval;
        var engineConsumers = engine.Consumers.ToList();
        var sameConsumers = engineConsumers.Count == wanted.Count && wanted.All(w => engineConsumers.Any(c => c.Name == w.Name));
        if (sameSettings && sameConsumers) return (null, changed);
        if (!sameSettings) await store.SaveConsumingAsync(_name, declaration.PrefetchLimit, declaration.PollInterval);
        if (sameSettings && engineConsumers.All(c => wanted.Any(w => w.Name == c.Name)))
        {
            // Only additions: no restart needed, the new slots join the running engine.
            foreach (var registration in wanted.Where(w => engineConsumers.All(c => c.Name != w.Name))) engine.AddConsumer(CreateSlot(registration));
            return (null, true);
        }
        return (await RestartAsync(engine, declaration.PrefetchLimit, declaration.PollInterval, wanted), true);
    }

    private static bool Matches(DeclaredConsumer declared, ConsumerRegistration registration) =>
        declared.Grain == registration.Grain && declared.BatchSize == registration.BatchSize && declared.IsLongRunning == registration.IsLongRunning &&
        declared.Limits?.Lease == registration.JobLease && declared.Limits?.MaxRunTime == registration.JobMaxRunTime &&
        (declared.BatchSize == 0 || declared.BatchTimeout == registration.BatchTimeout);

    /// <summary>New settings for a running engine: persisted, then the engine restarted with them; null when they are the same.</summary>
    private async Task<ConsumingEngine?> ChangeSettingsAsync(ConsumingEngine engine, int prefetchLimit, TimeSpan pollInterval)
    {
        if (engine.PrefetchLimit == prefetchLimit && engine.PollInterval == pollInterval) return null;
        // Persisted first: if Redis is unreachable the caller learns it and the engine runs on as it was.
        await store.SaveConsumingAsync(_name, prefetchLimit, pollInterval);
        return await RestartAsync(engine, prefetchLimit, pollInterval, engine.Consumers.ToList());
    }

    /// <summary>
    /// Stops <paramref name="running"/> and starts an engine with these settings and consumers, paused if it
    /// was. The old one has closed before the new one opens: its calls in flight ended and their outcomes
    /// were applied, what it had prefetched is back at the front of ready, its connection is gone.
    /// </summary>
    private async Task<ConsumingEngine> RestartAsync(ConsumingEngine running, int prefetchLimit, TimeSpan pollInterval, IReadOnlyList<ConsumerRegistration> consumers)
    {
        var paused = running.IsPaused;
        await running.StopAsync();
        var engine = NewEngine(prefetchLimit, pollInterval);
        foreach (var registration in consumers) engine.AddConsumer(CreateSlot(registration));
        if (paused) engine.Pause();
        Start(engine);
        LogRestarted(_name, prefetchLimit, pollInterval, consumers.Count);
        return engine;
    }

    private ConsumingEngine RunningEngine(string operation) =>
        _engine is { IsStopping: false } engine
            ? engine
            : throw new InvalidOperationException($"Queue '{_name}' is not consuming; call StartConsuming before {operation}.");

    private void CheckDeclaration(QueueDeclaration declaration)
    {
        CheckConsumingSettings(declaration.PrefetchLimit, declaration.PollInterval);
        declaration.RetryPolicy?.Validate();
        declaration.Limits?.Validate();
        if (declaration.PushQueue is not null) CheckPushQueue(declaration.PushQueue);
        ArgumentNullException.ThrowIfNull(declaration.Consumers);
        foreach (var consumer in declaration.Consumers)
        {
            if (consumer is null) throw new ArgumentException("A declared consumer is null.", nameof(declaration));
            ArgumentException.ThrowIfNullOrEmpty(consumer.Tag, nameof(declaration));
            if (consumer.BatchSize < 0 || (consumer.BatchSize > 0 && (consumer.BatchTimeout <= TimeSpan.Zero || consumer.BatchTimeout > MaxInterval)))
                throw new ArgumentOutOfRangeException(nameof(declaration), $"Declared consumer '{consumer.Tag}' ({consumer.Grain}): batch size {consumer.BatchSize} and timeout {consumer.BatchTimeout} — a batch size must be positive with a timeout of more than 0 and at most {MaxInterval}.");
            if (consumer.IsLongRunning && consumer.BatchSize != 0)
                throw new ArgumentOutOfRangeException(nameof(declaration), $"Declared consumer '{consumer.Tag}' ({consumer.Grain}) is long-running with a batch size of {consumer.BatchSize}; a long-running consumer takes one job at a time (batch size 0).");
            if (consumer.IsLongRunning) CheckJobLimits(consumer.Limits, _options);
        }
        if (declaration.Consumers.GroupBy(c => c.Grain).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"Grain {twice.Key} is declared as a consumer {twice.Count()} times; each consumer grain is declared once (use count: to declare several).", nameof(declaration));
    }
}
