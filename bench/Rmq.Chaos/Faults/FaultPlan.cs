namespace Rmq.Chaos;

/// <summary>
/// A seed's fault schedule: every chosen kind once in a seeded order, then seeded draws, spread evenly
/// (with jitter) over the middle of the run so the last one has time to heal under load.
/// </summary>
internal static class FaultPlan
{
    public static IReadOnlyList<(TimeSpan At, FaultKind Kind)> Create(int seed, TimeSpan duration, IReadOnlyList<FaultKind> kinds, int count)
    {
        var random = new Random(seed);
        if (count <= 0) count = Math.Max(kinds.Count, (int)(duration.TotalSeconds / 10));
        var order = kinds.OrderBy(_ => random.Next()).ToList();
        while (order.Count < count) order.Add(kinds[random.Next(kinds.Count)]);
        order = order.Take(count).ToList();
        var first = duration * 0.1;
        var spacing = duration * 0.75 / count;
        return [.. order.Select((kind, i) => (first + spacing * i + spacing * (random.NextDouble() * 0.4), kind))];
    }
}
