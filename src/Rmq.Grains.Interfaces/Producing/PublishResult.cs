namespace Rmq;

/// <summary>What became of one published message.</summary>
public enum PublishStatus
{
    /// <summary>It is in ready (<c>LPUSH</c>): a due time not in the future, or no schedule at all.</summary>
    Published,

    /// <summary>It waits in the queue's scheduled set until due; <see cref="PublishResult.ScheduledId"/> cancels it.</summary>
    Scheduled,

    /// <summary>Its deduplication key was taken within the window: nothing was written.</summary>
    Deduplicated,
}

/// <summary>The answer to one publish: published, scheduled (with its id) or deduplicated.</summary>
[GenerateSerializer, Immutable]
public sealed record PublishResult
{
    private static readonly PublishResult PublishedResult = new(PublishStatus.Published, null);
    private static readonly PublishResult DeduplicatedResult = new(PublishStatus.Deduplicated, null);

    private PublishResult(PublishStatus status, string? scheduledId)
    {
        Status = status;
        ScheduledId = scheduledId;
    }

    /// <summary>What became of the message.</summary>
    [Id(0)] public PublishStatus Status { get; }

    /// <summary>For <see cref="PublishStatus.Scheduled"/>: the id that <see cref="IRmqProducer.CancelScheduled"/> takes; else null.</summary>
    [Id(1)] public string? ScheduledId { get; }

    /// <summary>True unless the message was deduplicated: it is in ready or scheduled.</summary>
    public bool IsPublished => Status != PublishStatus.Deduplicated;

    /// <summary>The message is in ready.</summary>
    public static PublishResult Published => PublishedResult;

    /// <summary>The message was not written: its deduplication key was taken.</summary>
    public static PublishResult Deduplicated => DeduplicatedResult;

    /// <summary>The message waits in the scheduled set under <paramref name="id"/>.</summary>
    public static PublishResult Scheduled(string id) => new(PublishStatus.Scheduled, id ?? throw new ArgumentNullException(nameof(id)));
}
