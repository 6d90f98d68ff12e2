using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Rmq;

/// <summary>
/// The whole consuming state of a queue as code declares it (<c>silo.AddRmqQueue("orders", q => …)</c>):
/// its settings and its consumers. <see cref="IQueueGrain.Declare"/> makes the queue so — settings changed,
/// consumers added and removed — without losing or duplicating a delivery.
/// </summary>
/// <remarks>
/// Rolling deploys: the queue keeps the <see cref="Version"/> of the declaration in force. A declaration
/// with a lower version is not applied (an older silo starting during a deploy does not undo the newer
/// one); with the same version, the last one applied wins (set <see cref="Version"/> to your release
/// number to make the order explicit).
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record QueueDeclaration
{
    /// <summary>At most this many deliveries are prefetched into the queue's unacked list (<see cref="IQueueGrain.StartConsuming"/>).</summary>
    [Id(0)] public required int PrefetchLimit { get; init; }

    /// <summary>How long the queue waits before looking at ready again after it found it empty.</summary>
    [Id(1)] public required TimeSpan PollInterval { get; init; }

    /// <summary>The queue that <see cref="DeliveryOutcome.Push"/> moves deliveries to; null for none.</summary>
    [Id(2)] public string? PushQueue { get; init; }

    /// <summary>The queue's retry policy; null for none.</summary>
    [Id(3)] public RetryPolicy? RetryPolicy { get; init; }

    /// <summary>Every consumer the queue has; registrations not listed here are removed.</summary>
    [Id(4)] public IReadOnlyList<DeclaredConsumer> Consumers { get; init; } = [];

    /// <summary>Orders declarations during a rolling deploy: a lower version than the one in force is not applied. Default 0.</summary>
    [Id(5)] public long Version { get; init; }

    /// <summary>The queue's flow limits; null for none.</summary>
    [Id(6)] public FlowLimits? Limits { get; init; }

    /// <summary>The grain called for each dead letter (<see cref="IQueueGrain.SetDeadLetterHandler"/>); null for none.</summary>
    [Id(7)] public GrainId? DeadLetterHandler { get; init; }

    /// <summary>A digest of everything but <see cref="Version"/>: equal for declarations that ask for the same state.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{PrefetchLimit}|{PollInterval.Ticks}|{PushQueue}|")
            .Append(RetryPolicy is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p.MaxAttempts},{p.InitialBackoff.Ticks},{p.Multiplier:R},{p.MaxBackoff.Ticks},{p.Jitter:R}") : "-");
        // Appended only when set, so the fingerprints of declarations without limits stay what earlier versions wrote.
        if (Limits is { IsEmpty: false } limits) text.Append("|limits ").Append(limits.ToString());
        if (DeadLetterHandler is { } handler) text.Append("|dead-letters ").Append(handler.ToString());
        foreach (var c in Consumers.OrderBy(c => c.Grain.ToString(), StringComparer.Ordinal))
            text.Append(CultureInfo.InvariantCulture, $"|{c.Tag},{c.Grain},{c.BatchSize},{c.BatchTimeout.Ticks}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}

/// <summary>What <see cref="IQueueGrain.Declare"/> did.</summary>
public enum DeclarationOutcome
{
    /// <summary>The queue was changed to the declaration (started, settings changed, consumers added or removed).</summary>
    Applied,

    /// <summary>The queue was already as declared: nothing changed.</summary>
    Unchanged,

    /// <summary>A declaration with a higher <see cref="QueueDeclaration.Version"/> is in force: nothing changed.</summary>
    Superseded,
}
