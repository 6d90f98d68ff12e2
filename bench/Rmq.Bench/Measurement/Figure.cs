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
/// repetitions. Ratios are Rmq / baseline and Rmq / ceiling of the medians.
/// </summary>
internal sealed class Figure(string id, string group, string label, string unit, bool higherIsBetter)
{
    public string Id { get; } = id;
    public string Group { get; } = group;
    public string Label { get; } = label;
    public string Unit { get; } = unit;
    public bool HigherIsBetter { get; } = higherIsBetter;
    public Dictionary<Side, Stats> Results { get; } = [];

    /// <summary>The ceiling figure this row is compared with, when its ceiling is another row.</summary>
    public Figure? CeilingFrom { get; init; }

    public Stats? Rmq => Results.GetValueOrDefault(Side.Rmq);
    public Stats? Baseline => Results.GetValueOrDefault(Side.Baseline);
    public Stats? Ceiling => Results.GetValueOrDefault(Side.Ceiling) ?? CeilingFrom?.Results.GetValueOrDefault(Side.Ceiling);

    public double? RatioVsBaseline => Rmq is { } r && Baseline is { Median: > 0 } b ? r.Median / b.Median : null;
    public double? RatioVsCeiling => Rmq is { } r && Ceiling is { Median: > 0 } c ? r.Median / c.Median : null;
}
