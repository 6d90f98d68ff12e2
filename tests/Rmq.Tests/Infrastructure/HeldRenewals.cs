using System.Collections.Concurrent;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// Holds lease renewals to chosen queues at the queue's silo (in <see cref="DroppedRenewals"/>' filter) until released:
/// a test can then change a queue's state between two renewals, with no renewal carrying the change meanwhile, however
/// the 500 ms renewal ticks fall. The silos of a <c>TestCluster</c> run in the test's process, so a static gate reaches them.
/// </summary>
public static class HeldRenewals
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();

    /// <summary>Renewals to <paramref name="queue"/> wait from now until the result is disposed; then they go on, late.</summary>
    public static IDisposable Hold(string queue)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Gates.TryAdd(queue, gate)) throw new InvalidOperationException($"renewals to {queue} are held already");
        return new Release(queue, gate);
    }

    /// <summary>Completes when renewals to <paramref name="queue"/> may go on (at once when none are held).</summary>
    internal static Task WhenReleased(string queue) => Gates.TryGetValue(queue, out var gate) ? gate.Task : Task.CompletedTask;

    private sealed class Release(string queue, TaskCompletionSource gate) : IDisposable
    {
        public void Dispose()
        {
            Gates.TryRemove(queue, out _);
            gate.TrySetResult();
        }
    }
}
