using System.Diagnostics;
using Rmq.Bench.Infrastructure;
using Rmq.Bench.Measurement;
using StackExchange.Redis;

namespace Rmq.Bench.Scenarios;

/// <summary>
/// Redis's own ceiling through StackExchange.Redis: single-element commands, pipelined in windows of
/// <see cref="BenchSettings.PipelineWindow"/> (issued together, then awaited together) on one
/// multiplexer. One repetition: LPUSH N elements, LMOVE them ready→unacked, LREM them from unacked's
/// oldest end in the order they were moved (as in-order acks would). Rows compared with a ceiling
/// measure it again between their own repetitions (<see cref="LpushOnceAsync"/>, <see cref="LmoveOnceAsync"/>),
/// so each ratio divides figures taken moments apart.
/// </summary>
internal sealed class CeilingScenario(IDatabase db, BenchSettings settings, Action<string> progress)
{
    public Figure Lpush { get; } = new("ceiling.lpush", "Server ceiling", "LPUSH ready x, pipelined", "ops/s", true);
    public Figure Lmove { get; } = new("ceiling.lmove", "Server ceiling", "LMOVE ready→unacked, pipelined", "ops/s", true);
    public Figure Lrem { get; } = new("ceiling.lrem", "Server ceiling", "LREM unacked -1 x (in order), pipelined", "ops/s", true);

    public IEnumerable<Figure> Figures => [Lpush, Lmove, Lrem];

    private readonly RedisValue[] _values = Payloads.Values("ceiling", 0, settings.CeilingOps, settings.PayloadBytes);

    public async Task RunAsync()
    {
        var n = settings.CeilingOps;
        var lpush = new List<double>();
        var lmove = new List<double>();
        var lrem = new List<double>();
        var values = _values;
        if (settings.Warmup) await OneRoundAsync("warmup", values, n); // JIT and connection, not recorded
        for (var rep = 0; rep < settings.Repetitions; rep++)
        {
            var (push, move, remove) = await OneRoundAsync(rep.ToString(System.Globalization.CultureInfo.InvariantCulture), values, n);
            lpush.Add(push);
            lmove.Add(move);
            lrem.Add(remove);
            progress($"ceiling rep {rep + 1}/{settings.Repetitions}: LPUSH {push:N0}/s, LMOVE {move:N0}/s, LREM {remove:N0}/s");
        }
        Lpush.Results[Side.Ceiling] = Stats.Of(lpush);
        Lmove.Results[Side.Ceiling] = Stats.Of(lmove);
        Lrem.Results[Side.Ceiling] = Stats.Of(lrem);
    }

    private async Task<(double Lpush, double Lmove, double Lrem)> OneRoundAsync(string rep, RedisValue[] values, int n)
    {
        RedisKey ready = $"bench:ceiling:{rep}:ready", unacked = $"bench:ceiling:{rep}:unacked";
        await db.KeyDeleteAsync([ready, unacked]);
        var lpush = await PipelinedAsync(n, i => db.ListLeftPushAsync(ready, values[i]));
        var lmove = await PipelinedAsync(n, _ => db.ListMoveAsync(ready, unacked, ListSide.Right, ListSide.Left));
        var lrem = await PipelinedAsync(n, i => db.ListRemoveAsync(unacked, values[i], -1));
        var left = await db.ListLengthAsync(ready) + await db.ListLengthAsync(unacked);
        if (left != 0) throw new InvalidOperationException($"ceiling run {rep} left {left} elements behind; the figures would be wrong");
        return (lpush, lmove, lrem);
    }

    /// <summary>One pipelined LPUSH measurement of <see cref="BenchSettings.CeilingOps"/> commands.</summary>
    public async Task<double> LpushOnceAsync(string tag)
    {
        RedisKey ready = $"bench:ceiling:{tag}:ready";
        await db.KeyDeleteAsync(ready);
        var rate = await PipelinedAsync(_values.Length, i => db.ListLeftPushAsync(ready, _values[i]));
        await db.KeyDeleteAsync(ready);
        return rate;
    }

    /// <summary>One pipelined LMOVE measurement of <see cref="BenchSettings.CeilingOps"/> commands (ready filled first, untimed).</summary>
    public async Task<double> LmoveOnceAsync(string tag)
    {
        RedisKey ready = $"bench:ceiling:{tag}:ready", unacked = $"bench:ceiling:{tag}:unacked";
        await db.KeyDeleteAsync([ready, unacked]);
        await PipelinedAsync(_values.Length, i => db.ListLeftPushAsync(ready, _values[i]));
        var rate = await PipelinedAsync(_values.Length, _ => db.ListMoveAsync(ready, unacked, ListSide.Right, ListSide.Left));
        await db.KeyDeleteAsync([ready, unacked]);
        return rate;
    }

    /// <summary>Issues <paramref name="count"/> commands, a window at a time; returns commands per second.</summary>
    private async Task<double> PipelinedAsync<T>(int count, Func<int, Task<T>> command)
    {
        var window = new Task[Math.Min(settings.PipelineWindow, count)];
        var started = Stopwatch.GetTimestamp();
        for (var start = 0; start < count; start += window.Length)
        {
            var size = Math.Min(window.Length, count - start);
            for (var j = 0; j < size; j++) window[j] = command(start + j);
            await Task.WhenAll(size == window.Length ? window : window[..size]);
        }
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
