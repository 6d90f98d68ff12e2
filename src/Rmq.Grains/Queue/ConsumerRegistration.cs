using System.Globalization;

namespace Rmq.Queue;

/// <summary>A registered consumer grain, as persisted in the queue's consumer-grains hash.</summary>
internal sealed record ConsumerRegistration(string Name, GrainId Grain, int BatchSize, TimeSpan BatchTimeout, bool IsLongRunning = false,
    TimeSpan? JobLease = null, TimeSpan? JobMaxRunTime = null)
{
    /// <summary>True for an <see cref="IBatchConsumerGrain"/>; single consumers have BatchSize 0.</summary>
    public bool IsBatch => BatchSize > 0;

    /// <summary>
    /// <c>single|&lt;grain id&gt;</c>, <c>batch|&lt;size&gt;|&lt;timeout ms&gt;|&lt;grain id&gt;</c>, or for an
    /// <see cref="ILongRunningConsumerGrain"/> <c>long|&lt;lease ms&gt;|&lt;max run time ms&gt;|&lt;grain id&gt;</c> (empty: the silo's).
    /// </summary>
    public string Encode() => IsBatch
        ? string.Create(CultureInfo.InvariantCulture, $"batch|{BatchSize}|{BatchTimeout.TotalMilliseconds}|{Grain}")
        : IsLongRunning ? string.Create(CultureInfo.InvariantCulture, $"long|{JobLease?.TotalMilliseconds}|{JobMaxRunTime?.TotalMilliseconds}|{Grain}")
        : $"single|{Grain}";

    private static TimeSpan? Milliseconds(string text) =>
        text.Length == 0 ? null : TimeSpan.FromMilliseconds(double.Parse(text, CultureInfo.InvariantCulture));

    public static ConsumerRegistration? TryDecode(string name, string value)
    {
        const string single = "single|";
        try
        {
            if (value.StartsWith(single, StringComparison.Ordinal))
                return new ConsumerRegistration(name, GrainId.Parse(value[single.Length..]), 0, TimeSpan.Zero);
            if (value.Split('|', 4) is ["long", var lease, var maxRunTime, var grain])
                return new ConsumerRegistration(name, GrainId.Parse(grain), 0, TimeSpan.Zero, IsLongRunning: true, Milliseconds(lease), Milliseconds(maxRunTime));
            return value.Split('|', 4) is ["batch", var size, var ms, var id]
                ? new ConsumerRegistration(name, GrainId.Parse(id), int.Parse(size, CultureInfo.InvariantCulture),
                    TimeSpan.FromMilliseconds(double.Parse(ms, CultureInfo.InvariantCulture)))
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
