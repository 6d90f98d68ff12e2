namespace Rmq.Bench.Measurement;

/// <summary>
/// Runs the sides of a figure interleaved (rep 1 of each side, then rep 2, …), so that slow phases of
/// a noisy machine hit every side alike and the ratios stay meaningful.
/// </summary>
internal sealed class Repetitions(int count, Action<string> progress)
{
    public int Count { get; } = count;

    public async Task MeasureAsync(Figure figure, IReadOnlyList<(Side Side, Func<int, Task<double>> Run)> sides)
    {
        var samples = sides.ToDictionary(s => s.Side, _ => new List<double>());
        for (var rep = 0; rep < Count; rep++)
        {
            foreach (var (side, run) in sides)
            {
                var value = await run(rep);
                samples[side].Add(value);
                progress($"{figure.Label} [{side}] rep {rep + 1}/{Count}: {Format.Value(value, figure.Unit)}");
            }
        }
        foreach (var (side, values) in samples) figure.Results[side] = Stats.Of(values);
    }
}
