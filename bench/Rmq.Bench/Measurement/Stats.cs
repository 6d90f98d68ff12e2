namespace Rmq.Bench.Measurement;

/// <summary>Median, min and max of a figure's repetitions (or of one run's samples, for percentiles).</summary>
internal sealed record Stats(double Median, double Min, double Max, IReadOnlyList<double> Samples)
{
    public static Stats Of(IReadOnlyList<double> samples)
    {
        if (samples.Count == 0) throw new ArgumentException("a figure needs at least one sample", nameof(samples));
        var sorted = samples.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Stats(median, sorted[0], sorted[^1], samples.ToArray());
    }

    /// <summary>The value below which <paramref name="percent"/>% of <paramref name="values"/> lie (nearest rank).</summary>
    public static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0) throw new ArgumentException("no values", nameof(values));
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
