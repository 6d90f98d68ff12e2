using System.Collections.Concurrent;

namespace Rmq.Diagnostics;

/// <summary>
/// The consuming status of every queue whose engine runs on this silo, refreshed by each engine every
/// heartbeat interval. Read by the <c>rmq.queue.stalled</c> gauge and the host's <c>/health</c>.
/// </summary>
public sealed class LocalQueueStatuses
{
    private readonly ConcurrentDictionary<string, (object Owner, ConsumingStatus Status)> _statuses = new(StringComparer.Ordinal);

    /// <summary>Every consuming queue of this silo with its last status, sorted by name.</summary>
    public IReadOnlyList<(string Queue, ConsumingStatus Status)> Snapshot() =>
        _statuses.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value.Status)).ToList();

    internal void Set(string queue, object owner, ConsumingStatus status) => _statuses[queue] = (owner, status);

    /// <summary>Forgets the queue's status if <paramref name="owner"/> set it last (a newer engine of the same queue may have).</summary>
    internal void Remove(string queue, object owner)
    {
        if (_statuses.TryGetValue(queue, out var entry) && ReferenceEquals(entry.Owner, owner))
            _statuses.TryRemove(new KeyValuePair<string, (object, ConsumingStatus)>(queue, entry));
    }
}
