namespace Rmq;

/// <summary>
/// The rules for delayed and scheduled publishes (<see cref="RmqMessage.Delayed"/>,
/// <see cref="RmqMessage.At"/>, on both publish paths), shared by the grains
/// and clients so both paths refuse the same arguments with the same words.
/// </summary>
public static class Scheduling
{
    /// <summary>
    /// The longest delay, 365 days, and how far in the future a due time may lie: a scheduled delivery
    /// holds Redis memory until it is due, so a longer one is more likely a unit mistake (ticks, seconds
    /// as days) than a wish.
    /// </summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(365);

    /// <summary>The longest id <see cref="IQueueGrain.CancelScheduled"/> accepts (ids Rmq returns are 32 to 39 characters).</summary>
    public const int MaxIdLength = 100;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming <c>delay</c> when it is negative or over <see cref="MaxDelay"/>.</summary>
    public static void ValidateDelay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero || delay > MaxDelay)
            throw new ArgumentOutOfRangeException(nameof(delay), delay,
                $"delay must be at least 0 and at most {MaxDelay.TotalDays} days, but it is {delay}. Nothing was published.");
    }

    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> naming <c>due</c> when it lies more than
    /// <see cref="MaxDelay"/> after now (by this machine's clock). A due time in the past is valid: it publishes at once.
    /// </summary>
    public static void ValidateDue(DateTimeOffset due)
    {
        if (due > DateTimeOffset.UtcNow + MaxDelay)
            throw new ArgumentOutOfRangeException(nameof(due), due,
                $"due must be at most {MaxDelay.TotalDays} days from now, but it is {due:O}. Nothing was published.");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <c>id</c> when it cannot be an id Rmq returned.</summary>
    public static void ValidateId(string? id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0 || id.Length > MaxIdLength)
            throw new ArgumentException($"id must be 1 to {MaxIdLength} characters (a PublishResult.ScheduledId), but it has {id.Length}.", nameof(id));
    }

    /// <summary>The due time as Redis's score: unix milliseconds.</summary>
    public static long DueMilliseconds(DateTimeOffset due) => due.ToUnixTimeMilliseconds();

    /// <summary>The delay as whole milliseconds (rounded up, so a delivery is never early).</summary>
    public static long DelayMilliseconds(TimeSpan delay) => (long)Math.Ceiling(delay.TotalMilliseconds);
}
