using System.Globalization;

namespace Rmq;

/// <summary>
/// A queue's retry policy (<see cref="IQueueGrain.SetRetryPolicy"/>): a delivery whose consumer returns
/// <see cref="DeliveryOutcome.Retry"/>, throws, or does not answer within <c>Rmq:ConsumerTimeout</c> is
/// scheduled again after a backoff that grows with each attempt; after <see cref="MaxAttempts"/> attempts
/// it goes to rejected with headers saying why (<see cref="DeadLetterHeaders"/>). A throw of one of the
/// <see cref="NeverRetry"/> exception types goes to rejected at once.
/// </summary>
/// <param name="MaxAttempts">How many times a delivery is handed to a consumer at most, the first included. 1 to 1000; default 10.</param>
/// <param name="InitialBackoff">The wait before the second attempt. 0 to 30 days; default 1 s.</param>
/// <param name="Multiplier">How much each wait grows over the one before. 1 to 100; default 2 (exponential).</param>
/// <param name="MaxBackoff">The longest wait. At least <paramref name="InitialBackoff"/>, at most 30 days; default 10 minutes.</param>
/// <param name="Jitter">
/// The fraction of each wait drawn at random and taken off it, so deliveries that failed together do not
/// come back together: a wait of <c>w</c> becomes a uniform draw in <c>[w × (1 − Jitter), w]</c>. 0 to 1; default 0.2.
/// </param>
[GenerateSerializer, Immutable]
public sealed record RetryPolicy(
    [property: Id(0)] int MaxAttempts,
    [property: Id(1)] TimeSpan InitialBackoff,
    [property: Id(2)] double Multiplier,
    [property: Id(3)] TimeSpan MaxBackoff,
    [property: Id(4)] double Jitter)
{
    /// <summary>The defaults: 10 attempts, 1 s doubling up to 10 minutes, 20 % jitter (about 17 minutes from first to last attempt).</summary>
    public static RetryPolicy Default { get; } = new(10, TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(10), 0.2);

    /// <summary>The longest <see cref="InitialBackoff"/> and <see cref="MaxBackoff"/>: a waiting retry holds Redis memory.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromDays(30);

    /// <summary>The most attempts a policy may allow.</summary>
    public const int MaxAttemptsLimit = 1000;

    /// <summary>The most exception types <see cref="NeverRetry"/> may name.</summary>
    public const int MaxNeverRetryTypes = 50;

    /// <summary>
    /// Full names of exception types (<c>System.FormatException</c>) that are never retried: a consumer that throws one
    /// of them, or a type derived from one (when the queue's silo knows the thrown type), fails the delivery for good,
    /// as with <see cref="PermanentFailureException"/>: straight to rejected, <c>rmq-reason: permanent-failure</c>.
    /// Empty by default. Set it with <see cref="NeverRetrying(Type[])"/>.
    /// </summary>
    [Id(5)]
    public IReadOnlyList<string> NeverRetry { get; init; } = [];

    /// <summary>This policy, with <paramref name="exceptionTypes"/> added to <see cref="NeverRetry"/>.</summary>
    /// <exception cref="ArgumentException">A type is not an exception type.</exception>
    public RetryPolicy NeverRetrying(params Type[] exceptionTypes)
    {
        foreach (var type in exceptionTypes)
            if (!typeof(Exception).IsAssignableFrom(type) || type.FullName is null)
                throw new ArgumentException($"RetryPolicy.NeverRetrying takes exception types; {type} is not one.", nameof(exceptionTypes));
        return this with { NeverRetry = [.. NeverRetry, .. exceptionTypes.Select(t => t.FullName!).Where(n => !NeverRetry.Contains(n)).Distinct()] };
    }

    /// <summary>Whether <paramref name="exceptionTypeName"/> (a full name) is one of <see cref="NeverRetry"/>.</summary>
    public bool IsNeverRetried(string exceptionTypeName) => NeverRetry.Contains(exceptionTypeName, StringComparer.Ordinal);

    /// <summary>Equal when every setting is, <see cref="NeverRetry"/> compared by its names in order.</summary>
    public bool Equals(RetryPolicy? other) =>
        other is not null && MaxAttempts == other.MaxAttempts && InitialBackoff == other.InitialBackoff && Multiplier.Equals(other.Multiplier)
        && MaxBackoff == other.MaxBackoff && Jitter.Equals(other.Jitter) && NeverRetry.SequenceEqual(other.NeverRetry, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = HashCode.Combine(MaxAttempts, InitialBackoff, Multiplier, MaxBackoff, Jitter);
        foreach (var name in NeverRetry) hash = HashCode.Combine(hash, StringComparer.Ordinal.GetHashCode(name));
        return hash;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the field that is out of range, and the range.</summary>
    public void Validate()
    {
        if (MaxAttempts is < 1 or > MaxAttemptsLimit)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts,
                $"RetryPolicy.MaxAttempts must be 1 to {MaxAttemptsLimit} (1: no retries, straight to rejected), but it is {MaxAttempts}.");
        if (InitialBackoff < TimeSpan.Zero || InitialBackoff > MaxWait)
            throw new ArgumentOutOfRangeException(nameof(InitialBackoff), InitialBackoff,
                $"RetryPolicy.InitialBackoff must be 0 to {MaxWait.TotalDays} days, but it is {InitialBackoff}.");
        if (!(Multiplier >= 1 && Multiplier <= 100))
            throw new ArgumentOutOfRangeException(nameof(Multiplier), Multiplier,
                $"RetryPolicy.Multiplier must be 1 (constant backoff) to 100, but it is {Multiplier.ToString(CultureInfo.InvariantCulture)}.");
        if (MaxBackoff < InitialBackoff || MaxBackoff > MaxWait)
            throw new ArgumentOutOfRangeException(nameof(MaxBackoff), MaxBackoff,
                $"RetryPolicy.MaxBackoff must be at least InitialBackoff ({InitialBackoff}) and at most {MaxWait.TotalDays} days, but it is {MaxBackoff}.");
        if (!(Jitter >= 0 && Jitter <= 1))
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter,
                $"RetryPolicy.Jitter must be 0 (none) to 1, but it is {Jitter.ToString(CultureInfo.InvariantCulture)}.");
        if (NeverRetry is null)
            throw new ArgumentNullException(nameof(NeverRetry), "RetryPolicy.NeverRetry must be a list (empty: every exception is retried).");
        if (NeverRetry.Count > MaxNeverRetryTypes)
            throw new ArgumentOutOfRangeException(nameof(NeverRetry), NeverRetry.Count,
                $"RetryPolicy.NeverRetry may name at most {MaxNeverRetryTypes} exception types, but it names {NeverRetry.Count}.");
        foreach (var name in NeverRetry)
            if (string.IsNullOrWhiteSpace(name) || name.Length > 500 || name.Any(c => char.IsWhiteSpace(c) || c is ';' or '|'))
                throw new ArgumentException(
                    $"RetryPolicy.NeverRetry holds '{name}'; each entry must be an exception type's full name, such as System.FormatException (no spaces, ';' or '|', at most 500 characters).",
                    nameof(NeverRetry));
    }

    /// <summary>
    /// The backoff before the attempt after <paramref name="failedAttempt"/> (1-based), before jitter:
    /// <c>min(MaxBackoff, InitialBackoff × Multiplier^(failedAttempt − 1))</c>.
    /// </summary>
    public TimeSpan BackoffAfter(int failedAttempt)
    {
        var ms = InitialBackoff.TotalMilliseconds * Math.Pow(Multiplier, Math.Max(0, failedAttempt - 1));
        return double.IsFinite(ms) && ms < MaxBackoff.TotalMilliseconds ? TimeSpan.FromMilliseconds(ms) : MaxBackoff;
    }

    /// <summary><see cref="BackoffAfter(int)"/> with the jitter drawn from <paramref name="random"/> (a value in [0, 1)).</summary>
    public TimeSpan BackoffAfter(int failedAttempt, double random) =>
        TimeSpan.FromMilliseconds(BackoffAfter(failedAttempt).TotalMilliseconds * (1 - Jitter * random));
}
