using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>Raw elements whose fate is decided but not yet applied in Redis; applied in one script.</summary>
internal sealed class OutcomeBatch
{
    public List<RedisValue> Acks { get; } = [];
    public List<RedisValue> Rejects { get; } = [];
    public List<RedisValue> Pushes { get; } = [];

    /// <summary>Elements to move to rejected as a replacement element (the original with headers saying why).</summary>
    public List<(RedisValue Raw, RedisValue Replacement)> DeadLetters { get; } = [];

    /// <summary>
    /// Elements to schedule again (the retry policy): removed from unacked, their replacement (with the
    /// next <c>rmq-attempt</c>) put in the scheduled set under <c>Id</c>, due <c>DelayMs</c> after Redis's now.
    /// </summary>
    public List<(RedisValue Raw, string Id, long DelayMs, RedisValue Replacement)> Retries { get; } = [];

    /// <summary>Elements to put back at the front of ready, oldest first.</summary>
    public List<RedisValue> Returns { get; } = [];

    public int Count => Acks.Count + Rejects.Count + DeadLetters.Count + Retries.Count + Pushes.Count + Returns.Count;

    /// <summary>Every raw element of the batch, each as often as it occurs.</summary>
    public IEnumerable<RedisValue> All => Acks.Concat(Rejects).Concat(DeadLetters.Select(d => d.Raw)).Concat(Retries.Select(r => r.Raw)).Concat(Pushes).Concat(Returns);

    /// <summary>Moves everything into <paramref name="other"/> (which must be empty) and leaves this one empty.</summary>
    public void MoveTo(OutcomeBatch other)
    {
        other.Acks.AddRange(Acks);
        other.Rejects.AddRange(Rejects);
        other.Pushes.AddRange(Pushes);
        other.DeadLetters.AddRange(DeadLetters);
        other.Retries.AddRange(Retries);
        other.Returns.AddRange(Returns);
        Clear();
    }

    public void Clear()
    {
        Acks.Clear();
        Rejects.Clear();
        Pushes.Clear();
        DeadLetters.Clear();
        Retries.Clear();
        Returns.Clear();
    }
}
