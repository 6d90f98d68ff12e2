namespace Rmq.Bench.Measurement;

/// <summary>Which implementation a measurement is of.</summary>
internal enum Side
{
    Ceiling,
    Baseline,
    Rmq,
}

/// <summary>
/// One row of the results: the same thing measured on up to three sides, each the median of its
/// repetitions. Ratios are Rmq / baseline and Rmq / ceiling of the medians. A row's ceiling is the
/// Redis operation named by <see cref="CeilingOp"/>, measured between the row's other repetitions.
/// </summary>
internal sealed class Figure(string id, string group, string label, string unit, bool higherIsBetter)
{
    public string Id { get; } = id;
    public string Group { get; } = group;
    public string Label { get; } = label;
    public string Unit { get; } = unit;
    public bool HigherIsBetter { get; } = higherIsBetter;
    public Dictionary<Side, Stats> Results { get; } = [];

    /// <summary>The pipelined Redis command this row is compared with (LPUSH, LMOVE), or null.</summary>
    public string? CeilingOp { get; init; }

    /// <summary>CPU time and allocation per message of each repetition, where the scenario measures them (publish, end to end).</summary>
    public Dictionary<Side, List<CpuCost>> Cpu { get; } = [];

    public void AddCpu(Side side, CpuCost cost)
    {
        if (!Cpu.TryGetValue(side, out var list)) Cpu[side] = list = [];
        list.Add(cost);
    }

    /// <summary>The median CPU cost per delivery of one side, or null when it was not measured.</summary>
    public CpuCost? CpuMedian(Side side) => Cpu.TryGetValue(side, out var list) && list.Count > 0
        ? new CpuCost(Stats.Of(list.ConvertAll(c => c.ProcessUs)).Median, Stats.Of(list.ConvertAll(c => c.RedisUs)).Median,
            Stats.Of(list.ConvertAll(c => c.AllocatedBytes)).Median)
        : null;

    public Stats? Rmq => Results.GetValueOrDefault(Side.Rmq);
    public Stats? Baseline => Results.GetValueOrDefault(Side.Baseline);
    public Stats? Ceiling => Results.GetValueOrDefault(Side.Ceiling);

    public double? RatioVsBaseline => Rmq is { } r && Baseline is { Median: > 0 } b ? r.Median / b.Median : null;
    public double? RatioVsCeiling => CeilingOp is not null && Rmq is { } r && Ceiling is { Median: > 0 } c ? r.Median / c.Median : null;
}
