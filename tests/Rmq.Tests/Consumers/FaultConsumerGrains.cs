using System.Collections.Concurrent;

namespace Rmq.Tests.Consumers;

/// <summary>Outcome counts per queue, kept outside the silos (TestCluster silos share this process).</summary>
public static class OutcomeTally
{
    private static readonly ConcurrentDictionary<(string Queue, DeliveryOutcome Outcome), int> Counts = new();

    public static void Add(string queue, DeliveryOutcome outcome) => Counts.AddOrUpdate((queue, outcome), 1, (_, n) => n + 1);

    public static int Of(string queue, DeliveryOutcome outcome) => Counts.GetValueOrDefault((queue, outcome));
}

public interface IAlternatingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>Takes 2 ms, then acks one delivery and rejects the next, in turn; tallies what it returned.</summary>
public sealed class AlternatingConsumerGrain : Grain, IAlternatingConsumerGrain
{
    private int _calls;

    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        await Task.Delay(2);
        var outcome = _calls++ % 2 == 0 ? DeliveryOutcome.Ack : DeliveryOutcome.Reject;
        OutcomeTally.Add(delivery.Queue, outcome);
        return outcome;
    }
}

public interface ISlowConsumerGrain : IConsumerGrain, IGrainWithStringKey
{
    Task<int> Calls();
}

/// <summary>
/// Takes 5 s per delivery, then acks: far longer than the fault fixture's 1 s consumer timeout plus the
/// 250 ms sweep that detects it, so no late tick lets the answer arrive first (an answer that arrives
/// before the sweep is applied, as it should be). Reentrant, so the attempts after a timeout run at once
/// instead of queueing behind the first call.
/// </summary>
[Orleans.Concurrency.Reentrant]
public sealed class SlowConsumerGrain : Grain, ISlowConsumerGrain
{
    private static readonly ConcurrentDictionary<string, int> CallCounts = new();

    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        CallCounts.AddOrUpdate(this.GetPrimaryKeyString(), 1, (_, n) => n + 1);
        await Task.Delay(TimeSpan.FromSeconds(5));
        return DeliveryOutcome.Ack;
    }

    public Task<int> Calls() => Task.FromResult(CallCounts.GetValueOrDefault(this.GetPrimaryKeyString()));
}
