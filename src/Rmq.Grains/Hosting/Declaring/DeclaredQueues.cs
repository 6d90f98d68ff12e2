namespace Rmq.Hosting.Declaring;

/// <summary>The queues this silo declares (<c>AddRmqQueue</c>), in the order they were added; one entry per queue name.</summary>
internal sealed class DeclaredQueues
{
    private readonly Dictionary<string, RmqQueueBuilder> _queues = new(StringComparer.Ordinal);

    public IReadOnlyCollection<RmqQueueBuilder> All => _queues.Values;

    public RmqQueueBuilder Add(string queue)
    {
        if (_queues.ContainsKey(queue))
            throw new InvalidOperationException($"Queue '{queue}' is declared twice; declare each queue once, with all its consumers (AddRmqQueue).");
        return _queues[queue] = new RmqQueueBuilder(queue);
    }
}
