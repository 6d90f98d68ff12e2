using System.Buffers.Text;
using System.Diagnostics;

namespace Rmq.Bench.Grains;

/// <summary>
/// Where the bench's consumer grains report, shared by the silo and the harness (one process): the
/// run under way counts deliveries and, for latency runs, records publish→consume times. Holding
/// consumers wait on <see cref="Gate"/>.
/// </summary>
internal sealed class ConsumeProbe
{
    private ProbeRun? _run;
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts counting for a new run; the previous one stops receiving reports.</summary>
    public ProbeRun Begin(int expected, bool recordLatency, StampClock clock = StampClock.PublishTimestamp)
    {
        var run = new ProbeRun(expected, recordLatency, clock);
        Volatile.Write(ref _run, run);
        return run;
    }

    public void Consumed(Delivery delivery) => Volatile.Read(ref _run)?.Consumed(delivery.PayloadBytes);

    public void Consumed(IReadOnlyList<Delivery> batch)
    {
        var run = Volatile.Read(ref _run);
        if (run is null) return;
        foreach (var delivery in batch) run.Consumed(delivery.PayloadBytes);
    }

    /// <summary>Completes when <see cref="OpenGate"/> is called; holding consumers wait for it.</summary>
    public Task Gate => _gate.Task;

    public void OpenGate() => _gate.TrySetResult();

    public void CloseGate()
    {
        if (_gate.Task.IsCompleted) _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What the stamp at the start of a <see cref="LatencyPayload"/> counts.</summary>
internal enum StampClock
{
    /// <summary><see cref="Stopwatch.GetTimestamp"/> taken just before the publish: latency since publishing.</summary>
    PublishTimestamp,

    /// <summary>A due time in unix milliseconds (the system clock, which is Redis's <c>TIME</c> on this machine): lateness.</summary>
    DueUnixMilliseconds,
}

/// <summary>One measured run: how many deliveries the consumers saw, and their latencies when asked.</summary>
internal sealed class ProbeRun(int expected, bool recordLatency, StampClock clock = StampClock.PublishTimestamp)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _latencyTicks = recordLatency ? new long[expected] : [];
    private int _consumed;

    public int ConsumedCount => Volatile.Read(ref _consumed);

    public int Expected => expected;

    /// <summary>Completes once <c>expected</c> deliveries were consumed.</summary>
    public Task AllConsumed => _all.Task;

    public void Consumed(ReadOnlySpan<byte> payload)
    {
        // Unix mode: 100 ns ticks of the system clock (CLOCK_REALTIME, as Redis's TIME) since the due time; may be negative (early).
        var now = clock == StampClock.PublishTimestamp ? Stopwatch.GetTimestamp() : DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        var n = Interlocked.Increment(ref _consumed);
        if (recordLatency && n <= _latencyTicks.Length && LatencyPayload.TryReadStamp(payload, out var stamp))
            _latencyTicks[n - 1] = now - (clock == StampClock.PublishTimestamp ? stamp : stamp * TimeSpan.TicksPerMillisecond);
        if (n == expected) _all.TrySetResult();
    }

    /// <summary>Publish→consume times (or lateness after the due time) in milliseconds, of the deliveries seen so far.</summary>
    public double[] LatenciesMs()
    {
        var perMs = clock == StampClock.PublishTimestamp ? Stopwatch.Frequency / 1000.0 : TimeSpan.TicksPerMillisecond;
        return _latencyTicks.Take(Math.Min(ConsumedCount, _latencyTicks.Length)).Select(t => t / perMs).ToArray();
    }
}

/// <summary>A payload that starts with a 20-digit stamp: the <see cref="Stopwatch"/> timestamp of its publication, or its due time in unix ms (<see cref="StampClock"/>).</summary>
internal static class LatencyPayload
{
    public static string Create(long stamp, int payloadBytes)
    {
        var text = stamp.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + "|";
        return text.Length >= payloadBytes ? text : text.PadRight(payloadBytes, 'x');
    }

    public static byte[] CreateBytes(long stamp, int payloadBytes) => System.Text.Encoding.ASCII.GetBytes(Create(stamp, payloadBytes));

    public static bool TryReadStamp(ReadOnlySpan<byte> payload, out long stamp)
    {
        stamp = 0;
        return payload.Length > 20 && payload[20] == (byte)'|' && Utf8Parser.TryParse(payload[..20], out stamp, out _);
    }
}
