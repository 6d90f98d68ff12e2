using System.Collections.Concurrent;

namespace Rmq.Tests.Consumers;

/// <summary>
/// What dead-letter handlers were called with, and how they answer, kept outside the silos (TestCluster silos run in this
/// process): per handler key, the calls in order, how many of the next calls throw, and a gate calls wait on.
/// </summary>
public static class DeadLetterLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<DeadLetter>> Calls = new();
    private static readonly ConcurrentDictionary<string, int> Failures = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    public static IReadOnlyList<DeadLetter> Of(string key) => Calls.TryGetValue(key, out var calls) ? calls.ToArray() : [];

    /// <summary>The next <paramref name="count"/> calls of handler <paramref name="key"/> throw.</summary>
    public static void FailNext(string key, int count) => Failures[key] = count;

    /// <summary>Calls of handler <paramref name="key"/> wait until <see cref="Open"/>.</summary>
    public static void Close(string key) => Gates[key] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void Open(string key)
    {
        if (Gates.TryRemove(key, out var gate)) gate.TrySetResult();
    }

    internal static void Record(string key, DeadLetter deadLetter) => Calls.GetOrAdd(key, _ => new()).Enqueue(deadLetter);

    internal static bool TakeFailure(string key)
    {
        while (Failures.TryGetValue(key, out var left) && left > 0)
            if (Failures.TryUpdate(key, left - 1, left)) return true;
        return false;
    }

    internal static Task Gate(string key) => Gates.TryGetValue(key, out var gate) ? gate.Task : Task.CompletedTask;
}

public interface ITestDeadLetterHandlerGrain : IDeadLetterHandlerGrain;

/// <summary>Records each call, then throws or waits as <see cref="DeadLetterLog"/> says for its key.</summary>
public sealed class TestDeadLetterHandlerGrain : Grain, ITestDeadLetterHandlerGrain
{
    public async Task OnDeadLettered(DeadLetter deadLetter)
    {
        var key = this.GetPrimaryKeyString();
        DeadLetterLog.Record(key, deadLetter);
        if (DeadLetterLog.TakeFailure(key)) throw new InvalidOperationException("the test handler fails on purpose");
        await DeadLetterLog.Gate(key);
    }
}
