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
    public ProbeRun Begin(int expected, bool recordLatency)
    {
        var run = new ProbeRun(expected, recordLatency);
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

/// <summary>One measured run: how many deliveries the consumers saw, and their latencies when asked.</summary>
internal sealed class ProbeRun(int expected, bool recordLatency)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _latencyTicks = recordLatency ? new long[expected] : [];
    private int _consumed;

    public int ConsumedCount => Volatile.Read(ref _consumed);

    /// <summary>Completes once <c>expected</c> deliveries were consumed.</summary>
    public Task AllConsumed => _all.Task;

    public void Consumed(ReadOnlySpan<byte> payload)
    {
        var now = Stopwatch.GetTimestamp();
        var n = Interlocked.Increment(ref _consumed);
        if (recordLatency && n <= _latencyTicks.Length && LatencyPayload.TryReadStamp(payload, out var stamp))
            _latencyTicks[n - 1] = now - stamp;
        if (n == expected) _all.TrySetResult();
    }

    /// <summary>Publish→consume times in milliseconds, of the deliveries seen so far.</summary>
    public double[] LatenciesMs() =>
        _latencyTicks.Take(Math.Min(ConsumedCount, _latencyTicks.Length)).Select(t => t * 1000.0 / Stopwatch.Frequency).ToArray();
}

/// <summary>A payload that starts with the <see cref="Stopwatch"/> timestamp of its publication.</summary>
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
