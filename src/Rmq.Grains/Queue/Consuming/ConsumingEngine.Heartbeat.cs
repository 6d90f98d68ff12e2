using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rmq.Queue;

/// <summary>What keeps the engine's connection alive and awake: the timer's tick, the heartbeat (and stopping consuming when it keeps failing, before its TTL can expire), and the wakes from publishers that bypass the queue grain.</summary>
internal sealed partial class ConsumingEngine
{
    /// <summary>
    /// Publishers that bypass the queue grain (the client library's direct publisher) wake the engine
    /// through the queue's wake channel, so it fetches at once instead of at its next poll. Without the
    /// subscription (Redis down at start) the poll interval still picks everything up; the tick retries.
    /// </summary>
    private async Task ListenForWakesAsync()
    {
        ChannelMessageQueue wakes;
        try
        {
            wakes = await Store.SubscribeWakesAsync(Queue);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            // The tick tries again (see TickAsync): until then the poll interval picks everything up.
            ReportFault(Faults.Classify(e), "subscribe to wakes", e);
            return;
        }
        _wakeQueue = wakes;
        if (_run is not { IsCompleted: false })
        {
            await UnsubscribeAsync(wakes);
            return;
        }
        try
        {
            while (true)
            {
                await wakes.ReadAsync();
                // Many wakes while the engine was busy are one wake.
                while (wakes.TryRead(out _)) { }
                _pump?.WakeFromPublisher();
                Signal();
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Unsubscribed: the engine has closed.
        }
    }

    private async Task UnsubscribeAsync(ChannelMessageQueue wakes)
    {
        try { await wakes.UnsubscribeAsync(); }
        catch (Exception e) when (Faults.IsRedis(e)) { LogCloseFailed(Queue, "(wake channel)", e); }
    }

    /// <summary>Every heartbeat interval: the heartbeat itself, the throughput counters, and the stall check.</summary>
    private async Task TickAsync()
    {
        if (_wakes is null || (_wakes.IsCompleted && _wakeQueue is null)) _wakes = ListenForWakesAsync();
        try
        {
            // Also while stopping: consumers may take long to finish, and a cleaner must not take the
            // connection for dead meanwhile.
            _pump?.SweepTimeouts(DateTime.UtcNow);
            if (_pump is { IsLost: false } pump) await HeartbeatAsync(pump);
            await FlushThroughputAsync();
        }
        catch (Exception e)
        {
            ReportFault(FaultKind.Bug, "heartbeat", e);
        }
        UpdateStatus();
    }

    private async Task HeartbeatAsync(ConnectionPump pump)
    {
        bool registered;
        // The TTL starts when Redis runs the command, which is after it was sent: count from the send.
        var sent = DateTime.UtcNow;
        try
        {
            registered = await Store.HeartbeatAsync(pump.Connection, Options.HeartbeatTtl);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            ReportFault(Faults.Classify(e), "heartbeat", e, source: FaultSource.Heartbeat);
            // While stopping, the pump waits for consumers and applies their outcomes: giving the
            // connection up now would return deliveries they still hold.
            if (HeartbeatExpired(DateTime.UtcNow) && _pump == pump && !_stopRequested)
            {
                // As Go rmq: give the connection up before its TTL can expire, so a cleaner never returns
                // deliveries that consumers are still working on. A new one opens once Redis answers.
                LogHeartbeatLimit(Queue, pump.Connection, DateTime.UtcNow - _lastHeartbeatOk);
                pump.Lose(PumpEnd.HeartbeatExpired);
                if (!_stopRequested) State = ConsumingState.Recovering;
                Signal();
            }
            return;
        }
        if (_pump != pump) return;
        _lastHeartbeatOk = sent;
        ReportRedisOk(FaultSource.Heartbeat);
        if (!registered)
        {
            // A cleaner took this connection for dead (paused past the TTL, or its silo was declared
            // dead), or Redis lost its data. Stop using its unacked list — nobody would clean it again.
            LogLost(Queue, pump.Connection);
            pump.Lose(PumpEnd.Lost);
            if (!_stopRequested) State = ConsumingState.Recovering;
            Signal();
        }
    }

    /// <summary>No heartbeat has succeeded for <c>HeartbeatInterval × HeartbeatErrorLimit</c> (below the TTL).</summary>
    public bool HeartbeatExpired(DateTime now) => now >= HeartbeatDeadline;

    /// <summary>When the connection must be given up unless a heartbeat succeeds before.</summary>
    public DateTime HeartbeatDeadline => _lastHeartbeatOk + Options.HeartbeatInterval * Options.HeartbeatErrorLimit;
}
