using System.Collections.Concurrent;
using System.Globalization;

namespace Rmq.Tests.Consumers;

/// <summary>One call of a <see cref="RetryConsumerGrain"/>: what it got and when.</summary>
public sealed record RetryCall(string Payload, int Attempt, IReadOnlyDictionary<string, string[]> Headers, DateTime At);

/// <summary>What <see cref="RetryConsumerGrain"/>s saw, per queue, kept outside the silos (they run in this process).</summary>
public static class RetryLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<RetryCall>> Queues = new();

    public static void Record(string queue, RetryCall call) => Queues.GetOrAdd(queue, _ => new()).Enqueue(call);

    public static IReadOnlyList<RetryCall> Of(string queue) => Queues.TryGetValue(queue, out var log) ? log.ToArray() : [];
}

public interface IRetryConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>
/// Answers what the payload asks for: <c>retry…</c> always Retry; <c>throw…</c> always throws;
/// <c>ack-at-N…</c> Retry until attempt N, then Ack; <c>reject-at-N…</c> Retry until attempt N, then Reject;
/// <c>later-MS…</c> throws <see cref="RetryLaterException"/> (MS milliseconds) on attempt 1, then Acks;
/// <c>permanent…</c> throws <see cref="PermanentFailureException"/>.
/// Records every call in <see cref="RetryLog"/> first.
/// </summary>
public sealed class RetryConsumerGrain : Grain, IRetryConsumerGrain
{
    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        var payload = delivery.Payload;
        RetryLog.Record(delivery.Queue, new RetryCall(payload, delivery.Attempt, delivery.Headers, DateTime.UtcNow));
        if (payload.StartsWith("throw", StringComparison.Ordinal))
            throw new InvalidOperationException($"cannot handle {payload}");
        if (payload.StartsWith("later-", StringComparison.Ordinal))
        {
            if (delivery.Attempt <= 1)
                throw new RetryLaterException(TimeSpan.FromMilliseconds(int.Parse(payload.Split('-')[1].Split(':')[0], CultureInfo.InvariantCulture)), "the partner answered 429");
            return Task.FromResult(DeliveryOutcome.Ack);
        }
        if (payload.StartsWith("permanent", StringComparison.Ordinal))
            throw new PermanentFailureException($"order in {payload} does not validate");
        if (payload.StartsWith("ack-at-", StringComparison.Ordinal))
            return Task.FromResult(delivery.Attempt >= At(payload) ? DeliveryOutcome.Ack : DeliveryOutcome.Retry);
        if (payload.StartsWith("reject-at-", StringComparison.Ordinal))
            return Task.FromResult(delivery.Attempt >= At(payload) ? DeliveryOutcome.Reject : DeliveryOutcome.Retry);
        return Task.FromResult(DeliveryOutcome.Retry);
    }

    private static int At(string payload) =>
        int.Parse(payload.Split('-')[2].Split(':')[0], CultureInfo.InvariantCulture);
}
