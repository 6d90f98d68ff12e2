using Microsoft.Extensions.Logging;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>
/// The one owner of a consuming queue's rmq connection, from registration to close, across every
/// fault: opening → consuming ⇄ degraded (Redis failing) → recovering (cleaned, flushed, heartbeat
/// expired, a defect) → opening … → stopping → closed. It holds the consuming configuration in memory,
/// so a Redis that lost its data gets it back. Each connection is run by one <see cref="ConnectionPump"/>;
/// the dispatching is the <see cref="Dispatcher"/>'s. Runs on the queue grain's scheduler.
/// </summary>
internal sealed partial class ConsumingEngine
{
    private static readonly TimeSpan MaxOpenBackoff = TimeSpan.FromSeconds(2);

    private readonly Func<string> _newConnectionName;
    private readonly Func<bool> _siloIsActive;
    private readonly string _siloAddress;
    private readonly Func<Func<Task>, TimeSpan, IDisposable> _startTimer;
    private readonly LocalQueueStatuses _statuses;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly EngineWait _wait = new();
    private Task? _run;
    private IDisposable? _timer;
    private Task? _wakes;
    private ChannelMessageQueue? _wakeQueue;
    private ConnectionPump? _pump;
    private bool _stopRequested;
    private bool _restorePending;
    private bool _paused;
    private long _nextDeliveryId;
    private int _generation;
    private DateTime _lastHeartbeatOk;
    private DateTime _lastProgress = DateTime.UtcNow;
    private long _readyLength;
    private string? _lastError;
    private ConsumingStatus _status = ConsumingStatus.NotConsuming;

    public ConsumingEngine(string queue, int prefetchLimit, TimeSpan pollInterval, string? pushQueue,
        RedisQueueStore store, RmqOptions options, RmqMetrics metrics, LocalQueueStatuses statuses, ILogger logger,
        Func<string> newConnectionName, Func<bool> siloIsActive, string siloAddress, Func<Func<Task>, TimeSpan, IDisposable> startTimer,
        FlowControl.FlowGate? flowGate = null)
    {
        Queue = queue;
        PrefetchLimit = prefetchLimit;
        PollInterval = pollInterval;
        PushQueue = pushQueue;
        Store = store;
        Options = options;
        Metrics = metrics;
        _logger = logger;
        _statuses = statuses;
        _newConnectionName = newConnectionName;
        _siloIsActive = siloIsActive;
        _siloAddress = siloAddress;
        _startTimer = startTimer;
        Dispatcher = new Dispatcher(new DispatchPolicy(options.ConsumerRetryDelay, options.ConsumerFailureBackoff,
            options.ConsumerMaxBackoff, options.ConsumerRetryDelay), flowGate);
    }

    public string Queue { get; }
    public int PrefetchLimit { get; }
    public TimeSpan PollInterval { get; }
    public string? PushQueue { get; set; }

    /// <summary>The queue's retry policy, or null (Go rmq's outcomes). Set by the queue grain.</summary>
    public RetryPolicy? RetryPolicy { get; set; }

    /// <summary>The queue's flow limits, or null. Set by the queue grain; a change counts from the next hand-out.</summary>
    public FlowLimits? FlowLimits
    {
        get => Dispatcher.Gate.InForce;
        set
        {
            Dispatcher.Gate.Set(value);
            // A limit raised or removed may let waiting deliveries out at once.
            if (_run is not null) Signal();
        }
    }

    /// <summary>The queue's dead-letter handler, or null. Set by the queue grain.</summary>
    public GrainId? DeadLetterHandler { get; set; }

    /// <summary>The queue has a dead-letter handler: each dead letter also goes to the queue's notices, for it.</summary>
    public bool NotifyDeadLetters => DeadLetterHandler is not null;

    /// <summary>Told when Redis confirmed dead letters (with <see cref="NotifyDeadLetters"/>, their notices are there now).</summary>
    public Action? DeadLettersApplied { get; set; }

    /// <summary>Told when retries were scheduled, with the shortest of their delays, so the queue's scheduler wakes in time.</summary>
    public Action<TimeSpan>? RetriesScheduled { get; set; }

    /// <summary>Redis stored retries: the scheduler must wake for them.</summary>
    public void ReportRetriesScheduled(TimeSpan shortestDelay) => RetriesScheduled?.Invoke(shortestDelay);
    public RedisQueueStore Store { get; }
    public RmqOptions Options { get; }
    public RmqMetrics Metrics { get; }
    public ILogger Logger => _logger;
    public Dispatcher Dispatcher { get; }
    public ConsumingState State { get; private set; } = ConsumingState.Opening;

    /// <summary>The consumers, in registration order.</summary>
    public IEnumerable<ConsumerRegistration> Consumers => Dispatcher.Slots.Select(s => s.Registration);

    /// <summary>The connection consuming (or paused) now; null while opening, recovering, stopping or closed.</summary>
    public string? Connection => State is ConsumingState.Consuming or ConsumingState.Degraded or ConsumingState.Paused ? _pump?.Connection : null;

    public bool IsStopping => _stopRequested;

    /// <summary>Paused (<see cref="Pause"/>): the pump fetches nothing and hands nothing out, but keeps its connection.</summary>
    public bool IsPaused => _paused;

    /// <summary>The state of a healthy open connection: consuming, or paused.</summary>
    private ConsumingState RunningState => _paused ? ConsumingState.Paused : ConsumingState.Consuming;

    /// <summary>Which connection run is current; consumer calls of older runs are dropped.</summary>
    public int CurrentGeneration => _pump?.Generation ?? -1;

    /// <summary>Completes after the first attempt to open the connection, whether it worked or not.</summary>
    public Task FirstAttempt => _firstAttempt.Task;

    /// <summary>Completes when the engine has closed.</summary>
    public Task Completion => _run ?? Task.CompletedTask;

    /// <summary>
    /// Starts the engine. <paramref name="restore"/>: write the configuration held in memory to Redis
    /// before registering (it is not there, or may not be).
    /// </summary>
    public void Start(bool restore)
    {
        _restorePending = restore;
        _statuses.Set(Queue, this, StatusNow(DateTime.UtcNow));
        _timer ??= _startTimer(TickAsync, Options.HeartbeatInterval);
        _run ??= RunAsync();
        _wakes ??= ListenForWakesAsync();
    }

    /// <summary>
    /// Stops fetching and handing out, keeping the connection, its heartbeat and the consumers: the pump
    /// returns what no consumer holds to the front of ready at its next step and applies the outcomes of
    /// the calls in flight as they end. Nothing is handed out from the moment this returns. Also before
    /// <see cref="Start"/>, for a queue resumed paused.
    /// </summary>
    public void Pause()
    {
        _paused = true;
        _pump?.CancelJobs(JobCancelReason.Paused);
        if (State == ConsumingState.Consuming) State = ConsumingState.Paused;
        LogPaused(Queue, _pump?.InFlight ?? 0, Dispatcher.Queued);
        Signal();
        if (_run is not null) UpdateStatus();
    }

    /// <summary>Carries on after <see cref="Pause"/>: fetches at once, with the same connection and consumers.</summary>
    public void Resume()
    {
        _paused = false;
        WithdrawJobCancels(JobCancelReason.Paused);
        if (State == ConsumingState.Paused) State = ConsumingState.Consuming;
        // The stall clock starts now: the time spent paused was not a lack of progress.
        _lastProgress = DateTime.UtcNow;
        LogResumedFromPause(Queue);
        _pump?.Wake();
        Signal();
        if (_run is not null) UpdateStatus();
    }

    public void AddConsumer(ConsumerSlot slot)
    {
        Dispatcher.AddSlot(slot);
        Signal();
    }

    /// <summary>Something may have been published: fetch now instead of waiting for the poll.</summary>
    public void Wake()
    {
        _pump?.Wake();
        Signal();
    }

    /// <summary>
    /// Stops: no new connection is opened and the configuration is no longer restored; the pump returns
    /// what no consumer holds, waits for the calls in flight and applies their outcomes; the connection
    /// is closed. Completes when the engine has closed.
    /// </summary>
    /// <param name="releaseJobs">
    /// Do not wait for long-running jobs: the grain is deactivating and takes no renewals, so they cannot hear of the
    /// stop. Their deliveries go back to the front of ready at once; each run learns at its next renewal (which reaches
    /// the queue's next activation) that the queue no longer holds it.
    /// </param>
    public Task StopAsync(bool releaseJobs = false)
    {
        _stopRequested = true;
        State = ConsumingState.Stopping;
        _pump?.RequestStop();
        if (releaseJobs) _pump?.ReleaseJobs();
        else _pump?.CancelJobs(JobCancelReason.Stopped);
        Signal();
        return Completion;
    }

    /// <summary>Gives up at once (deactivation cannot wait): what the connection holds stays in unacked for a cleaner.</summary>
    public void Abandon()
    {
        _stopRequested = true;
        State = ConsumingState.Stopping;
        _pump?.Lose(PumpEnd.Abandoned);
        Signal();
    }

    /// <summary>The engine's status now (the timer also publishes it every heartbeat interval for /health and the gauge).</summary>
    public ConsumingStatus Status => StatusNow(DateTime.UtcNow);

    private async Task RunAsync()
    {
        var attempts = 0;
        var recoveries = 0;
        try
        {
            while (!_stopRequested)
            {
                if (State != ConsumingState.Recovering) State = ConsumingState.Opening;
                if (!_siloIsActive())
                {
                    // A silo that membership does not list as active must not take work: it may be
                    // declared dead any moment, and its connections cleaned under its feet.
                    ReportNotActive();
                    _firstAttempt.TrySetResult();
                    await WaitAsync(Backoff(++attempts));
                    continue;
                }
                var connection = _newConnectionName();
                try
                {
                    if (_restorePending)
                    {
                        await Store.RestoreConsumingAsync(Queue, PrefetchLimit, PollInterval, PushQueue, RetryPolicy, FlowLimits, DeadLetterHandler, _paused,
                            Consumers.Select(c => new KeyValuePair<string, string>(c.Name, c.Encode())).ToList());
                        _restorePending = false;
                        LogRestored(Queue, Dispatcher.Slots.Count);
                    }
                    await Store.RegisterConnectionAsync(connection, Queue, _siloAddress, Options.HeartbeatTtl, Consumers.Select(c => c.Name).ToList());
                }
                catch (Exception e)
                {
                    // Any failure, a defect included: retried with backoff, never the end of the engine.
                    ReportFault(Faults.Classify(e), "register connection", e, ++attempts);
                    _firstAttempt.TrySetResult();
                    await WaitAsync(Backoff(attempts));
                    continue;
                }
                attempts = 0;
                _lastHeartbeatOk = DateTime.UtcNow;
                var opened = DateTime.UtcNow;
                var pump = new ConnectionPump(this, connection, ++_generation);
                _pump = pump;
                if (_stopRequested) pump.RequestStop();
                State = _stopRequested ? ConsumingState.Stopping : RunningState;
                LogOpened(Queue, connection, PrefetchLimit, Dispatcher.Slots.Count);
                _firstAttempt.TrySetResult();
                UpdateStatus();

                var end = await pump.RunAsync();
                // From here on the pump is not current: consumer calls it started that end later are
                // dropped and hand nothing out. What no consumer holds stays in the connection's unacked
                // list: returned below, or by a cleaner.
                pump.Lose(end);
                _pump = null;
                Dispatcher.TakeQueued();
                if (end is PumpEnd.Stopped or PumpEnd.Abandoned or PumpEnd.GaveUpStopping)
                {
                    if (end != PumpEnd.GaveUpStopping) await CloseAsync(connection);
                    await FlushThroughputAsync();   // what the last outcomes added, before the tick stops
                    return;
                }
                State = ConsumingState.Recovering;
                LogRecovering(Queue, connection, end);
                Metrics.EngineRestarted(Queue, end.ToString());
                // Cleaned or flushed: the configuration may be gone from Redis with the registration.
                if (end == PumpEnd.Lost) _restorePending = true;
                await RetireAsync(connection);
                // A fault that comes back at once (a defect, a bad setting) must not make a hot loop of
                // register, fetch, give up: recoveries in a row wait longer and longer.
                recoveries = DateTime.UtcNow - opened > TimeSpan.FromSeconds(10) ? 1 : recoveries + 1;
                if (!_stopRequested) await WaitAsync(Backoff(recoveries));
            }
        }
        catch (Exception e)
        {
            // Only a defect in the lines above gets here; say so loudly rather than close quietly.
            ReportFault(FaultKind.Bug, "consuming engine", e);
            throw;
        }
        finally
        {
            _pump = null;
            State = ConsumingState.NotConsuming;
            _firstAttempt.TrySetResult();
            _timer?.Dispose();
            _timer = null;
            _wait.Dispose();
            if (_wakeQueue is { } wakes) _ = UnsubscribeAsync(wakes);
            _statuses.Remove(Queue, this);
            LogClosed(Queue);
        }
    }

    /// <summary>
    /// Returns what a given-up connection still holds to ready and closes it. Its pump has ended, so
    /// nothing fetches into the list any more. Retried until Redis answers or the engine stops; then a
    /// cleaner does it (the heartbeat expires, or the orphan sweep finds the list).
    /// </summary>
    private async Task RetireAsync(string connection)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var returned = await Store.ReturnUnackedAsync(connection, Queue, long.MaxValue);
                await Store.CloseConnectionAsync(connection, Queue);
                Metrics.Returned(Queue, returned);
                LogRetired(Queue, connection, returned);
                return;
            }
            catch (Exception e)
            {
                ReportFault(Faults.Classify(e), "return and close a given-up connection", e, attempt);
                if (_stopRequested) return;
                await WaitAsync(Backoff(attempt));
            }
        }
    }

    private async Task CloseAsync(string connection)
    {
        try
        {
            await Store.CloseConnectionAsync(connection, Queue);
        }
        catch (Exception e)
        {
            // The heartbeat expires by itself; a cleaner then returns whatever is left.
            LogCloseFailed(Queue, connection, e);
        }
    }

    public bool SiloIsActive() => _siloIsActive();

    public long NextDeliveryId() => ++_nextDeliveryId;

    public void Signal() => _wait.Signal();

    /// <inheritdoc cref="EngineWait.WaitAsync"/>
    public Task WaitAsync(TimeSpan timeout) => _wait.WaitAsync(timeout);

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(MaxOpenBackoff.TotalMilliseconds, 50 * Math.Pow(2, Math.Clamp(attempt - 1, 0, 10))));
}
