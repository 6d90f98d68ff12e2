namespace Rmq.Bench.Measurement;

/// <summary>The values each repetition gives a figure on one side; once the repetitions are done, each figure gets their median.</summary>
internal sealed class Samples
{
    private readonly Dictionary<(Figure Figure, Side Side), List<double>> _values = [];

    public void Add(Figure figure, Side side, double value)
    {
        if (!_values.TryGetValue((figure, side), out var list)) _values[(figure, side)] = list = [];
        list.Add(value);
    }

    /// <summary>The value the last repetition gave, for progress lines.</summary>
    public double Last(Figure figure, Side side) => _values[(figure, side)][^1];

    /// <summary>Sets every figure's result on every side it has values for.</summary>
    public void Complete()
    {
        foreach (var ((figure, side), values) in _values) figure.Results[side] = Stats.Of(values);
    }
}
