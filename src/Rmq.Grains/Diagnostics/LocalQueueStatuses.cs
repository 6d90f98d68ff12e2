using System.Collections.Concurrent;

namespace Rmq.Diagnostics;

/// <summary>
/// The consuming status of every queue whose engine runs on this silo, refreshed by each engine every
/// heartbeat interval. Read by the <c>rmq.queue.stalled</c> gauge and the host's <c>/health</c>.
/// </summary>
public sealed class LocalQueueStatuses
{
    private readonly ConcurrentDictionary<string, ConsumingStatus> _statuses = new(StringComparer.Ordinal);

    /// <summary>Every consuming queue of this silo with its last status, sorted by name.</summary>
    public IReadOnlyList<(string Queue, ConsumingStatus Status)> Snapshot() =>
        _statuses.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value)).ToList();

    internal void Set(string queue, ConsumingStatus status) => _statuses[queue] = status;

    internal void Remove(string queue) => _statuses.TryRemove(queue, out _);
}
