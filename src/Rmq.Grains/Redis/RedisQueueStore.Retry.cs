using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>The retry policy's persistence, the lifetime counters, and ReturnRejected (which resets attempts).</summary>
public sealed partial class RedisQueueStore
{
    private const string RetryField = "retry";
    private const string RetriedCounter = "retried";
    private const string DeadLetteredCounter = "dead-lettered";

    /// <summary>
    /// Persists the retry policy (<c>HSET rmq-consuming retry …</c>) or removes it (<c>HDEL</c>), beside
    /// the push queue: StopConsuming keeps it. With a policy the queue is listed in
    /// <see cref="RedisKeys.ScheduledQueues"/> first, so the cleaner moves its waiting retries should its
    /// queue grain's silo die (checkpoint: listed before any retry is scheduled).
    /// </summary>
    public Task SaveRetryPolicyAsync(string queue, RetryPolicy? policy) =>
        Run("HSET retry", async db =>
        {
            if (policy is null)
            {
                await db.HashDeleteAsync(Keys.ConsumingConfig(queue), RetryField).ConfigureAwait(false);
                return;
            }
            await db.SetAddAsync(RedisKeys.ScheduledQueues, queue).ConfigureAwait(false);
            await SetHashFieldsAsync(db, Keys.ConsumingConfig(queue), new HashEntry(RetryField, EncodeRetryPolicy(policy))).ConfigureAwait(false);
        });

    /// <summary>The persisted retry policy, or null.</summary>
    public Task<RetryPolicy?> LoadRetryPolicyAsync(string queue) =>
        Run("HGET retry", async db => DecodeRetryPolicy(await db.HashGetAsync(Keys.ConsumingConfig(queue), RetryField).ConfigureAwait(false)));

    /// <summary>
    /// The stored form: <c>v1;attempts;initial-ms;multiplier;max-ms;jitter</c>, invariant culture; with exception types
    /// never retried, <c>v2;…;jitter;Type1|Type2</c> (a policy without them stays v1, readable by earlier versions).
    /// </summary>
    internal static string EncodeRetryPolicy(RetryPolicy p)
    {
        var v1 = string.Join(';', "v1",
            p.MaxAttempts.ToString(CultureInfo.InvariantCulture),
            p.InitialBackoff.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture),
            p.Multiplier.ToString("R", CultureInfo.InvariantCulture),
            p.MaxBackoff.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture),
            p.Jitter.ToString("R", CultureInfo.InvariantCulture));
        return p.NeverRetry.Count == 0 ? v1 : string.Concat("v2", v1.AsSpan(2), ";", string.Join('|', p.NeverRetry));
    }

    /// <summary>Null for no value, and for one that is not a valid policy (the queue then has none; the caller logs it).</summary>
    internal static RetryPolicy? DecodeRetryPolicy(RedisValue value)
    {
        if (value.IsNullOrEmpty) return null;
        var parts = ((string)value!).Split(';');
        const NumberStyles number = NumberStyles.Float;
        var c = CultureInfo.InvariantCulture;
        if (!(parts.Length == 6 && parts[0] == "v1" || parts.Length == 7 && parts[0] == "v2")
            || !int.TryParse(parts[1], NumberStyles.None, c, out var attempts)
            || !double.TryParse(parts[2], number, c, out var initial)
            || !double.TryParse(parts[3], number, c, out var multiplier)
            || !double.TryParse(parts[4], number, c, out var max)
            || !double.TryParse(parts[5], number, c, out var jitter)
            || !double.IsFinite(initial) || !double.IsFinite(max))
            return null;
        try
        {
            var policy = new RetryPolicy(attempts, TimeSpan.FromMilliseconds(initial), multiplier, TimeSpan.FromMilliseconds(max), jitter)
            {
                NeverRetry = parts.Length == 7 ? parts[6].Split('|') : [],
            };
            policy.Validate();
            return policy;
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The queue's lifetime counters (<see cref="RedisKeys.Counters"/>): retried, dead-lettered.</summary>
    internal static async Task<(long Retried, long DeadLettered)> ReadCountersAsync(IDatabaseAsync db, RedisKeys keys, string queue)
    {
        var values = await db.HashGetAsync(keys.Counters(queue), [RetriedCounter, DeadLetteredCounter]).ConfigureAwait(false);
        return (values[0].TryParse(out long r) ? r : 0, values[1].TryParse(out long d) ? d : 0);
    }

    /// <summary>Deletes the queue's counters (Destroy).</summary>
    public Task DeleteCountersAsync(string queue) => Run("DEL counters", db => db.KeyDeleteAsync(Keys.Counters(queue)));

    /// <summary>
    /// Rejected → back of ready, oldest rejection first, as Go rmq's <c>ReturnRejected</c> (RPOPLPUSH):
    /// each element that carries Rmq's retry headers (<see cref="DeadLetterHeaders.RetryHeaders"/>) goes
    /// back without them, so it starts again at attempt 1. Read in chunks (LRANGE of the oldest end), then
    /// moved by <see cref="LuaScripts.ReturnRejected"/>, which moves only elements still in rejected: one
    /// removed meanwhile (a Go rmq client returning it too) is neither lost nor doubled.
    /// </summary>
    public Task<long> ReturnRejectedAsync(string queue, long max) =>
        Run("return rejected", async db =>
        {
            long moved = 0;
            while (moved < max)
            {
                var n = (int)Math.Min(MoveChunk, max - moved);
                var oldestLast = await db.ListRangeAsync(Keys.Rejected(queue), -n, -1).ConfigureAwait(false);
                if (oldestLast.Length == 0) break;
                var args = new List<RedisValue>(oldestLast.Length * 2);
                for (var i = oldestLast.Length - 1; i >= 0; i--)
                {
                    var raw = oldestLast[i];
                    if (WithoutRetryHeaders((byte[])raw!) is { } replacement)
                    {
                        args.Add("r");
                        args.Add(raw);
                        args.Add(replacement);
                    }
                    else
                    {
                        args.Add("k");
                        args.Add(raw);
                    }
                }
                var step = (long)await db.ScriptEvaluateAsync(redis.Script(LuaScripts.ReturnRejected),
                    [Keys.Rejected(queue), Keys.Ready(queue)], [.. args]).ConfigureAwait(false);
                moved += step;
                // Nothing of what we read was still there: someone else is emptying rejected.
                if (step == 0) break;
            }
            return moved;
        });

    /// <summary>The element without Rmq's retry headers, or null when it has none of them (or no header that decodes).</summary>
    internal static byte[]? WithoutRetryHeaders(byte[] raw)
    {
        if (!HeaderCodec.HasHeader(raw) || !HeaderCodec.TryDecode(raw, out var headers, out var payload, out _)) return null;
        if (!DeadLetterHeaders.RetryHeaders.Any(headers.ContainsKey)) return null;
        var kept = headers.Where(h => !DeadLetterHeaders.RetryHeaders.Contains(h.Key)).ToDictionary(h => h.Key, h => h.Value);
        return HeaderCodec.Encode(payload, kept);
    }
}
