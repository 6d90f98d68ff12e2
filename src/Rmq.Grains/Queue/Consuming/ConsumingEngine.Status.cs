using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>What the engine reports: metrics, faults, progress, and whether the queue is stalled.</summary>
internal sealed partial class ConsumingEngine
{
    private bool _reportedStalled;
    private bool _pumpFailing;
    private bool _heartbeatFailing;

    /// <summary>Which part of the engine saw a Redis fault; the queue is degraded while either fails.</summary>
    public enum FaultSource
    {
        /// <summary>The pump and the connection's other commands.</summary>
        Pump,

        /// <summary>The heartbeat.</summary>
        Heartbeat,
    }

    private bool RedisFailing => _pumpFailing || _heartbeatFailing;

    /// <summary>A Redis or internal fault the caller has handled: logged, counted, and remembered for the status.</summary>
    public void ReportFault(FaultKind kind, string operation, Exception e, int inARow = 1, FaultSource source = FaultSource.Pump)
    {
        _lastError = $"{operation}: {e.GetType().Name}: {FirstLine(e.Message)}";
        Metrics.Fault(Queue, KindTag(kind));
        if (kind == FaultKind.Bug)
        {
            LogBug(Queue, operation, e);
            return;
        }
        var wasFailing = RedisFailing;
        if (source == FaultSource.Heartbeat) _heartbeatFailing = true;
        else _pumpFailing = true;
        if (State is ConsumingState.Consuming or ConsumingState.Paused) State = ConsumingState.Degraded;
        if (wasFailing && inARow == 1) return; // the other part already reported this outage
        // The first failures at Warning, then every 20th, so a long outage does not flood the log.
        if (inARow <= 3 || inARow % 20 == 0) LogRedisFault(Queue, operation, KindTag(kind), inARow, e);
    }

    public void ReportRedisOk(FaultSource source = FaultSource.Pump)
    {
        if (source == FaultSource.Heartbeat) _heartbeatFailing = false;
        else _pumpFailing = false;
        if (RedisFailing || State != ConsumingState.Degraded) return;
        State = RunningState;
        LogRedisBack(Queue);
    }

    public void ReportConsumerFault(string consumer, Exception e)
    {
        _lastError = $"consumer {consumer}: {e.GetType().Name}: {FirstLine(e.Message)}";
        Metrics.Fault(Queue, "consumer");
        LogConsumerFailed(Queue, consumer, e);
    }

    public void ReportTimeout(string consumer, int count)
    {
        _lastError = $"consumer {consumer} did not answer within {Options.ConsumerTimeout}";
        Metrics.ConsumerTimeouts(Queue, count);
        LogConsumerTimedOut(Queue, consumer, count, Options.ConsumerTimeout);
    }

    public void ReportNotActive() => _lastError = "this silo is not active in the cluster membership; it takes no work";

    public void ReportDelivered(int count)
    {
        Metrics.Delivered(Queue, count);
        _lastProgress = DateTime.UtcNow;
    }

    /// <summary>Redis confirmed these outcomes.</summary>
    public void ReportApplied(OutcomeBatch batch)
    {
        Metrics.Acked(Queue, batch.Acks.Count);
        Metrics.Rejected(Queue, batch.Rejects.Count);
        Metrics.DeadLettered(Queue, batch.DeadLetters.Count);
        if (batch.DeadLetters.Count > 0) DeadLettersApplied?.Invoke();
        Metrics.Retried(Queue, batch.Retries.Count);
        Metrics.Pushed(Queue, batch.Pushes.Count);
        Metrics.Returned(Queue, batch.Returns.Count);
        CountThroughput(batch);
        _lastProgress = DateTime.UtcNow;
    }

    /// <summary>What a round trip saw of the work left: <c>LLEN ready</c> after it fetched.</summary>
    public void ReportReady(long readyLength, int inFlight)
    {
        _readyLength = readyLength;
        if (readyLength == 0 && Dispatcher.Queued == 0 && inFlight == 0) _lastProgress = DateTime.UtcNow;
    }

    private void UpdateStatus()
    {
        var status = StatusNow(DateTime.UtcNow);
        _statuses.Set(Queue, this, status);
        if (status.Stalled != _reportedStalled)
        {
            _reportedStalled = status.Stalled;
            if (status.Stalled) LogStalled(Queue, status.StalledReason!);
            else LogUnstalled(Queue);
        }
    }

    private ConsumingStatus StatusNow(DateTime now)
    {
        if (_run is not null && _run.IsCompleted) return ConsumingStatus.NotConsuming;
        var queued = Dispatcher.Queued;
        var inFlight = _pump?.InFlight ?? 0;
        var opening = State is ConsumingState.Opening or ConsumingState.Recovering;
        var hasWork = queued > 0 || _readyLength > 0 || RedisFailing || opening;
        // A paused queue makes no progress on purpose: it is never stalled.
        // Nor does one whose rate limit holds its work back: it hands out as fast as it was told to.
        var rateLimited = Dispatcher.HeldByRateLimit(now);
        if (!hasWork || State == ConsumingState.Stopping || _paused || rateLimited) _lastProgress = now;
        var idleFor = now - _lastProgress;
        var stalled = idleFor > Options.StallTimeout;
        return new ConsumingStatus(State, Connection, stalled, stalled ? StallReason(now, idleFor) : null,
            new DateTimeOffset(_lastProgress, TimeSpan.Zero), _lastError, queued, inFlight, Dispatcher.Slots.Count, _paused,
            StaleJobOutcomes, _pump?.JobsInFlight() is { Count: > 0 } jobs ? jobs : null, StaleJobRenewals,
            FlowLimits, rateLimited);
    }

    private string StallReason(DateTime now, TimeSpan idleFor)
    {
        var slots = Dispatcher.Slots;
        var why = RedisFailing || State is ConsumingState.Opening or ConsumingState.Recovering
            ? $"Redis is failing ({_lastError})"
            : !_siloIsActive()
                ? "this silo is not active in the cluster membership"
                : slots.Count == 0
                    ? "no consumers are registered (AddConsumer)"
                    : slots.All(s => s.Busy)
                        ? $"all {slots.Count} consumers are busy and none has returned"
                        : Dispatcher.Gate.Limits.MaxConcurrency is { } max && Dispatcher.InFlight >= max
                            ? $"the concurrency limit ({max}) is reached and none of those calls has returned"
                        : slots.All(s => s.Busy || s.RetryAt > now)
                            ? $"every consumer keeps failing ({_lastError})"
                            : "no delivery was handed out or finished";
        return $"{why}; no progress for {idleFor.TotalSeconds:F0} s while work is waiting";
    }

    private static string FirstLine(string message)
    {
        // StackExchange.Redis appends a long diagnostic dump after the first ';'.
        var cut = message.AsSpan().IndexOfAny(";\n");
        return cut < 0 ? message : message[..cut];
    }

    private static string KindTag(FaultKind kind) => kind switch
    {
        FaultKind.RedisUnavailable => "redis_unavailable",
        FaultKind.RedisTimeout => "redis_timeout",
        FaultKind.RedisServerError => "redis_server_error",
        _ => "bug",
    };
}
