using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The flow limits' persistence: a field of the consuming configuration, beside the retry policy.</summary>
public sealed partial class RedisQueueStore
{
    private const string LimitsField = "limits";

    /// <summary>
    /// Persists the flow limits (<c>HSET rmq-consuming limits …</c>) or removes them (<c>HDEL</c>, for null or none set).
    /// Allow-oom, as the rest of the consuming configuration: a full Redis is emptied by consuming.
    /// </summary>
    public Task SaveFlowLimitsAsync(string queue, FlowLimits? limits) =>
        Run(limits is null or { IsEmpty: true } ? "HDEL limits" : "HSET limits", db => limits is null or { IsEmpty: true }
            ? db.HashDeleteAsync(Keys.ConsumingConfig(queue), LimitsField)
            : SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), new HashEntry(LimitsField, EncodeFlowLimits(limits))));

    /// <summary>The persisted flow limits, or null.</summary>
    public Task<FlowLimits?> LoadFlowLimitsAsync(string queue) =>
        Run("HGET limits", async db => DecodeFlowLimits(await db.HashGetAsync(Keys.ConsumingConfig(queue), LimitsField).ConfigureAwait(false)));

    /// <summary>The stored form: <c>v1;count;window-ms;concurrency</c>, invariant culture, <c>-</c> for a limit not set.</summary>
    internal static string EncodeFlowLimits(FlowLimits limits)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Join(';', "v1",
            limits.Rate?.Count.ToString(c) ?? "-",
            limits.Rate?.Per.TotalMilliseconds.ToString("R", c) ?? "-",
            limits.MaxConcurrency?.ToString(c) ?? "-");
    }

    /// <summary>Null for no value, and for one that is not valid limits (the queue then has none; the caller logs it).</summary>
    internal static FlowLimits? DecodeFlowLimits(RedisValue value)
    {
        if (value.IsNullOrEmpty) return null;
        var parts = ((string)value!).Split(';');
        var c = CultureInfo.InvariantCulture;
        if (parts.Length != 4 || parts[0] != "v1") return null;
        RateLimit? rate = null;
        if (parts[1] != "-" || parts[2] != "-")
        {
            if (!int.TryParse(parts[1], NumberStyles.None, c, out var count) || !double.TryParse(parts[2], NumberStyles.Float, c, out var ms)) return null;
            rate = new RateLimit(count, TimeSpan.FromMilliseconds(ms));
        }
        int? concurrency = null;
        if (parts[3] != "-")
        {
            if (!int.TryParse(parts[3], NumberStyles.None, c, out var max)) return null;
            concurrency = max;
        }
        var limits = new FlowLimits { Rate = rate, MaxConcurrency = concurrency };
        try
        {
            limits.Validate();
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
        return limits;
    }
}
