using System.Collections.Concurrent;
using System.Diagnostics;

namespace Rmq.Host.Tests.Consumers;

/// <summary>A consumer that continues each delivery's trace, as application consumers are meant to.</summary>
public interface ITraceRecordingConsumerGrain : IConsumerGrain, IGrainWithStringKey;

/// <summary>What the consumer saw for one delivery (TestCluster silos run in this process, so a static works).</summary>
public sealed record ConsumedTrace(string Payload, ActivityTraceId TraceId, ActivitySpanId ParentSpanId, ActivityKind Kind, string? Tenant);

public sealed class TraceRecordingConsumerGrain : Grain, ITraceRecordingConsumerGrain
{
    public static readonly ActivitySource Source = new("Rmq.Host.Tests.Consumer");
    public static readonly ConcurrentDictionary<string, ConsumedTrace> Seen = new();

    public Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        using var activity = delivery.StartConsumerActivity(Source);
        if (activity is null) throw new InvalidOperationException("the test listens to the consumer source; the activity must start");
        var payload = delivery.Payload.StartsWith('{') ? delivery.GetJson<OrderPlaced>()!.Id : delivery.Payload;
        delivery.TryGetHeader("tenant", out var tenant);
        Seen[payload] = new ConsumedTrace(payload, activity.TraceId, activity.ParentSpanId, activity.Kind, tenant.Length == 0 ? null : tenant);
        return Task.FromResult(DeliveryOutcome.Ack);
    }
}

/// <summary>A JSON payload for the typed helpers.</summary>
public sealed record OrderPlaced(string Id, decimal Amount);
