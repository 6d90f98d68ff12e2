using System.Globalization;

namespace Rmq.Queue;

/// <summary>A registered consumer grain, as persisted in the queue's consumer-grains hash.</summary>
internal sealed record ConsumerRegistration(string Name, GrainId Grain, int BatchSize, TimeSpan BatchTimeout, bool IsLongRunning = false)
{
    /// <summary>True for an <see cref="IBatchConsumerGrain"/>; single consumers have BatchSize 0.</summary>
    public bool IsBatch => BatchSize > 0;

    /// <summary><c>single|&lt;grain id&gt;</c>, <c>long|&lt;grain id&gt;</c> (an <see cref="ILongRunningConsumerGrain"/>) or <c>batch|&lt;size&gt;|&lt;timeout ms&gt;|&lt;grain id&gt;</c>.</summary>
    public string Encode() => IsBatch
        ? string.Create(CultureInfo.InvariantCulture, $"batch|{BatchSize}|{BatchTimeout.TotalMilliseconds}|{Grain}")
        : IsLongRunning ? $"long|{Grain}" : $"single|{Grain}";

    public static ConsumerRegistration? TryDecode(string name, string value)
    {
        const string single = "single|";
        const string longRunning = "long|";
        try
        {
            if (value.StartsWith(single, StringComparison.Ordinal))
                return new ConsumerRegistration(name, GrainId.Parse(value[single.Length..]), 0, TimeSpan.Zero);
            if (value.StartsWith(longRunning, StringComparison.Ordinal))
                return new ConsumerRegistration(name, GrainId.Parse(value[longRunning.Length..]), 0, TimeSpan.Zero, IsLongRunning: true);
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
