using System.Globalization;
using System.Text.RegularExpressions;

namespace Rmq;

/// <summary>
/// At most <see cref="Count"/> deliveries handed out per window of <see cref="Per"/>, across every consumer of the queue on
/// every silo: the queue grain is the queue's one dispatcher, so the limit is exact, not an estimate shared through Redis.
/// No window of 0.9 × <see cref="Per"/> holds more than <see cref="Count"/>: a hand-out made late by a busy silo (by up to a
/// tenth of the window) counts from when it was allowed, so windows keep their pace (docs/flow-control.md).
/// </summary>
/// <param name="Count">Deliveries per window: 1 to <see cref="MaxCount"/>.</param>
/// <param name="Per">The window: 1 ms to one day.</param>
[GenerateSerializer, Immutable]
public sealed partial record RateLimit([property: Id(0)] int Count, [property: Id(1)] TimeSpan Per)
{
    /// <summary>The largest <see cref="Count"/>: the queue remembers the time of each of the last <see cref="Count"/> hand-outs.</summary>
    public const int MaxCount = 100_000;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> saying which field is out of range and what is allowed.</summary>
    public void Validate()
    {
        if (Count is < 1 or > MaxCount)
            throw new ArgumentOutOfRangeException(nameof(Count), Count, $"A rate limit allows 1 to {MaxCount:N0} deliveries per window; {Count} is out of range.");
        if (Per < TimeSpan.FromMilliseconds(1) || Per > MaxWindow) throw WindowOutOfRange(Per);
    }

    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    private static ArgumentOutOfRangeException WindowOutOfRange(object window) =>
        new(nameof(Per), window, $"A rate limit's window is 1 ms to one day; {window} is out of range.");

    /// <summary>
    /// Reads <c>100/s</c>, <c>5/200ms</c>, <c>1000/1m</c>, <c>10/2h</c> (units ms, s, m, h, d; a missing number is 1).
    /// Throws <see cref="FormatException"/> for text of another shape, <see cref="ArgumentOutOfRangeException"/> for values out of range.
    /// </summary>
    public static RateLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Shape().Match(text.Trim());
        if (!match.Success)
            throw new FormatException($"'{text}' is not a rate limit: write deliveries/window, such as 100/s, 5/200ms or 1000/1m (units ms, s, m, h, d).");
        var count = int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);
        var amount = match.Groups["amount"].Success ? double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture) : 1;
        var milliseconds = amount * match.Groups["unit"].Value switch
        {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => 86_400_000,
        };
        // Checked before a TimeSpan is made of it: 1/99999999999d would overflow one.
        if (!(milliseconds >= 1 && milliseconds <= MaxWindow.TotalMilliseconds)) throw WindowOutOfRange(text.Trim());
        var limit = new RateLimit(count, TimeSpan.FromMilliseconds(milliseconds));
        limit.Validate();
        return limit;
    }

    /// <summary>The shape <see cref="Parse"/> reads: <c>100/s</c>, <c>5/200ms</c>.</summary>
    public override string ToString()
    {
        var (amount, unit) = Per.TotalDays >= 1 && Per.TotalDays % 1 == 0 ? (Per.TotalDays, "d")
            : Per.TotalHours >= 1 && Per.TotalHours % 1 == 0 ? (Per.TotalHours, "h")
            : Per.TotalMinutes >= 1 && Per.TotalMinutes % 1 == 0 ? (Per.TotalMinutes, "m")
            : Per.TotalSeconds >= 1 && Per.TotalSeconds % 1 == 0 ? (Per.TotalSeconds, "s")
            : (Per.TotalMilliseconds, "ms");
        return string.Create(CultureInfo.InvariantCulture, $"{Count}/{(amount == 1 && unit != "ms" ? "" : amount.ToString("R", CultureInfo.InvariantCulture))}{unit}");
    }

    [GeneratedRegex(@"^(?<count>\d{1,9})\s*/\s*(?<amount>\d+(\.\d+)?)?\s*(?<unit>ms|s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
