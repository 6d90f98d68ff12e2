using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// How long this process stopped running its thread pool's work: a loop waits 10 ms at a time and records every wake
/// that came more than <see cref="Recorded"/> late, with when it came (a collection, a starved pool, the machine's VM
/// descheduled). For tests whose figure depends on the process keeping time, so that a stall shows as a stall.
/// </summary>
internal sealed class StallMeter : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

    /// <summary>Lateness below this is the timer's own (it counts whole milliseconds, and the pool takes a moment).</summary>
    public static readonly TimeSpan Recorded = TimeSpan.FromMilliseconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Stall> _stalls = new();
    private readonly Task _loop;

    public StallMeter() => _loop = Task.Run(LoopAsync);

    /// <summary>Every stall recorded so far, oldest first.</summary>
    public IReadOnlyList<Stall> Stalls => [.. _stalls];

    /// <summary>
    /// The time lost beyond <paramref name="allowance"/> by each stall that ended in [<paramref name="from"/>,
    /// <paramref name="to"/>) (<see cref="Stopwatch"/> timestamps).
    /// </summary>
    public TimeSpan LostBeyond(TimeSpan allowance, long from, long to) =>
        TimeSpan.FromTicks(_stalls.Where(s => s.EndedAt >= from && s.EndedAt < to).Sum(s => Math.Max(0, (s.Late - allowance).Ticks)));

    private async Task LoopAsync()
    {
        while (true)
        {
            var before = Stopwatch.GetTimestamp();
            try
            {
                await Task.Delay(Tick, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            var late = Stopwatch.GetElapsedTime(before, now) - Tick;
            if (late > Recorded) _stalls.Enqueue(new Stall(now, late));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    /// <summary>A wake <paramref name="Late"/> late, at <paramref name="EndedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal readonly record struct Stall(long EndedAt, TimeSpan Late);
}
