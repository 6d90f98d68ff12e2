using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rmq.Tests.Consumers;

/// <summary>
/// What consumers saw, kept outside the silos: TestCluster silos run in this process, so records
/// survive the death of the silo that made them.
/// </summary>
public static class ConsumptionLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<(string Payload, long Timestamp)>> Queues = new();

    public static void Record(string queue, string payload) =>
        Queues.GetOrAdd(queue, _ => new()).Enqueue((payload, Stopwatch.GetTimestamp()));

    public static IReadOnlyList<(string Payload, long Timestamp)> Of(string queue) =>
        Queues.TryGetValue(queue, out var log) ? log.ToArray() : [];
}

public interface IRecordingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>Records, takes a millisecond (so a stream lasts long enough to be interrupted) and acks.</summary>
public sealed class RecordingConsumerGrain : Grain, IRecordingConsumerGrain
{
    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        ConsumptionLog.Record(delivery.Queue, delivery.Payload);
        await Task.Delay(1);
        return DeliveryOutcome.Ack;
    }
}
