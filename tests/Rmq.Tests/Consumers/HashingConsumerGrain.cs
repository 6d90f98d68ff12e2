using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Rmq.Tests.Consumers;

/// <summary>What <see cref="HashingConsumerGrain"/>s received, per queue: each payload's length and SHA-256, and its headers.</summary>
public static class PayloadDigests
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(int Length, string Sha256, IReadOnlyDictionary<string, string[]> Headers)>> Queues = new();

    public static string Of(ReadOnlySpan<byte> payload) => Convert.ToHexString(SHA256.HashData(payload));

    public static void Record(Delivery delivery) =>
        Queues.GetOrAdd(delivery.Queue, _ => new()).Enqueue((delivery.PayloadBytes.Length, Of(delivery.PayloadBytes), delivery.Headers));

    public static IReadOnlyList<(int Length, string Sha256, IReadOnlyDictionary<string, string[]> Headers)> Of(string queue) =>
        Queues.TryGetValue(queue, out var log) ? log.ToArray() : [];
}

public interface IHashingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>Records a digest of each payload (not the payload: big ones would fill the test's memory) and acks.</summary>
public sealed class HashingConsumerGrain : Grain, IHashingConsumerGrain
{
    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        PayloadDigests.Record(delivery);
        return Task.FromResult(DeliveryOutcome.Ack);
    }
}
