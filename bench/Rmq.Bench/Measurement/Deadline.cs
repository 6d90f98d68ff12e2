namespace Rmq.Bench.Measurement;

/// <summary>Bounds every wait of a run: nothing in the harness waits forever.</summary>
internal static class Deadline
{
    public static async Task WithinAsync(Task task, TimeSpan limit, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(limit)) != task)
            throw new TimeoutException($"{what} did not finish within {limit.TotalSeconds:0} s; the run is aborted (no figure is reported for it).");
        await task;
    }

    /// <summary>Polls <paramref name="condition"/> every <paramref name="every"/> until it holds or the limit passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, TimeSpan every, string what)
    {
        var end = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > end)
                throw new TimeoutException($"{what} did not happen within {limit.TotalSeconds:0} s; the run is aborted (no figure is reported for it).");
            await Task.Delay(every);
        }
    }
}
