namespace Rmq;

/// <summary>
/// How a message is published: at once (the default), after a delay or at a due time, and optionally only
/// once per deduplication key within a window. Part of <see cref="RmqMessage"/>; set through its fluent
/// methods (<see cref="RmqMessage.Delayed"/>, <see cref="RmqMessage.At"/>, <see cref="RmqMessage.Unique"/>)
/// or with <see cref="RmqMessage.WithOptions"/>. New options (a job id, a group, a priority) are added
/// here, so the producer's methods stay as they are.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PublishOptions
{
    /// <summary>Publish at once, once per call: no delay, no due time, no deduplication.</summary>
    public static PublishOptions None { get; } = new();

    /// <summary>
    /// The message reaches ready after this long, counted on Redis's clock (0 publishes at once); at most
    /// <see cref="Scheduling.MaxDelay"/>. Not together with <see cref="DueAt"/>.
    /// </summary>
    [Id(0)] public TimeSpan? Delay { get; init; }

    /// <summary>
    /// The message reaches ready at this time, compared with Redis's clock (a time not in the future
    /// publishes at once); at most <see cref="Scheduling.MaxDelay"/> from now. Not together with <see cref="Delay"/>.
    /// </summary>
    [Id(1)] public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// When set, the message is published only if no message with this key was published to the queue
    /// within <see cref="DedupWindow"/> (the window counts from the publish that took the key). 1 to
    /// <see cref="Deduplication.MaxKeyLength"/> characters.
    /// </summary>
    [Id(2)] public string? DedupKey { get; init; }

    /// <summary>The deduplication window, <see cref="Deduplication.MinWindow"/> to <see cref="Deduplication.MaxWindow"/>; used with <see cref="DedupKey"/>.</summary>
    [Id(3)] public TimeSpan DedupWindow { get; init; }

    /// <summary>True when the message waits in the scheduled set (a delay or a due time is set).</summary>
    public bool IsScheduled => Delay is not null || DueAt is not null;

    /// <summary>True when the message is deduplicated (<see cref="DedupKey"/> is set).</summary>
    public bool IsUnique => DedupKey is not null;

    /// <summary>
    /// Throws when the options cannot be published: a delay and a due time together, a delay or due time
    /// out of range, a deduplication key or window out of range. Every publish path calls it before Redis
    /// is touched.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its range.</exception>
    public void Validate()
    {
        if (Delay is { } delay)
        {
            if (DueAt is not null)
                throw new ArgumentException(
                    "PublishOptions has both Delay and DueAt; set one of them (RmqMessage.Delayed or RmqMessage.At). Nothing was published.", nameof(DueAt));
            Scheduling.ValidateDelay(delay);
        }
        if (DueAt is { } due) Scheduling.ValidateDue(due);
        if (DedupKey is not null) Deduplication.Validate(DedupKey, DedupWindow);
        else if (DedupWindow != TimeSpan.Zero)
            throw new ArgumentException(
                "PublishOptions has a DedupWindow but no DedupKey; use RmqMessage.Unique(key, window). Nothing was published.", nameof(DedupKey));
    }
}
