namespace Rmq;

/// <summary>
/// The rules for deduplicated publishes (<see cref="RmqMessage.Unique"/>, on both publish paths),
/// shared by the grains and clients so both paths refuse the same arguments with the same words.
/// </summary>
public static class Deduplication
{
    /// <summary>The longest deduplication key accepted, in characters: it is part of a Redis key.</summary>
    public const int MaxKeyLength = 1000;

    /// <summary>The shortest window: Redis's <c>PX</c> counts whole milliseconds.</summary>
    public static readonly TimeSpan MinWindow = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The longest window, 30 days: a key lives in Redis for its whole window, so a longer one is more
    /// likely a unit mistake (ticks, seconds as days) than a wish, and would keep memory for months.
    /// </summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the argument (<c>dedupKey</c> or <c>window</c>)
    /// and the rule when either is out of bounds.
    /// </summary>
    public static void Validate(string? dedupKey, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(dedupKey);
        if (dedupKey.Length == 0)
            throw new ArgumentException("dedupKey must not be empty; it names what makes a delivery unique (an order id, a job name).", nameof(dedupKey));
        if (dedupKey.Length > MaxKeyLength)
            throw new ArgumentException($"dedupKey must be at most {MaxKeyLength} characters, but it has {dedupKey.Length}; hash longer keys first.", nameof(dedupKey));
        if (window < MinWindow || window > MaxWindow)
            throw new ArgumentOutOfRangeException(nameof(window), window,
                $"window must be at least {MinWindow.TotalMilliseconds} ms and at most {MaxWindow.TotalDays} days, but it is {window}.");
    }

    /// <summary>The window as Redis's <c>PX</c> argument: whole milliseconds.</summary>
    public static long WindowMilliseconds(TimeSpan window) => (long)window.TotalMilliseconds;
}
