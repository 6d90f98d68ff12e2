using System.Collections.Concurrent;

namespace Rmq.Tests.Consumers;

/// <summary>What <see cref="OutcomeByPayloadConsumerGrain"/>s returned, per queue, kept outside the silos.</summary>
public static class OutcomeLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(string Payload, DeliveryOutcome Outcome)>> Queues = new();

    public static void Record(string queue, string payload, DeliveryOutcome outcome) =>
        Queues.GetOrAdd(queue, _ => new()).Enqueue((payload, outcome));

    public static IReadOnlyList<(string Payload, DeliveryOutcome Outcome)> Of(string queue) =>
        Queues.TryGetValue(queue, out var log) ? log.ToArray() : [];
}

public interface IOutcomeByPayloadConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>
/// Answers what the payload asks for — <c>ack-…</c>, <c>rej-…</c>, <c>push-…</c> — after 5 ms (so a backlog
/// takes a while), and records it in <see cref="OutcomeLog"/>.
/// </summary>
public sealed class OutcomeByPayloadConsumerGrain : Grain, IOutcomeByPayloadConsumerGrain
{
    public static DeliveryOutcome OutcomeOf(string payload) =>
        payload.StartsWith("rej-", StringComparison.Ordinal) ? DeliveryOutcome.Reject
        : payload.StartsWith("push-", StringComparison.Ordinal) ? DeliveryOutcome.Push
        : DeliveryOutcome.Ack;

    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        await Task.Delay(5);
        var outcome = OutcomeOf(delivery.Payload);
        OutcomeLog.Record(delivery.Queue, delivery.Payload, outcome);
        return outcome;
    }
}
