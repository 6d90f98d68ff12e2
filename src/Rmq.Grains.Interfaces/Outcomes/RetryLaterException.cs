namespace Rmq;

/// <summary>
/// Thrown by a consumer (<see cref="IConsumerGrain.Consume"/>, <see cref="IBatchConsumerGrain"/>,
/// <see cref="ILongRunningConsumerGrain.Run"/>) to try the delivery again after <see cref="Delay"/>, not after the
/// queue's backoff: the partner API answered 429 with Retry-After, a row is locked for another minute. The delivery
/// waits among the queue's scheduled deliveries and comes back with <see cref="Delivery.Attempt"/> one higher and
/// the message in <c>rmq-last-error</c>. It is an attempt: under a retry policy, after the policy's last attempt the
/// delivery goes to rejected (<c>rmq-reason: retries-exhausted</c>); without a policy nothing bounds the attempts
/// but the consumer. A batch consumer's throw applies to every delivery of the call.
/// </summary>
[GenerateSerializer]
public sealed class RetryLaterException : Exception
{
    /// <summary>Try again after <paramref name="delay"/> (zero: as soon as the scheduler runs), for <paramref name="reason"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative or longer than <see cref="Scheduling.MaxDelay"/> (a year, as for a delayed message).</exception>
    public RetryLaterException(TimeSpan delay, string? reason = null)
        : base(reason ?? $"retry after {delay}")
    {
        if (delay < TimeSpan.Zero || delay > Scheduling.MaxDelay)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"A retry delay must be zero or more and at most {Scheduling.MaxDelay.TotalDays:F0} days.");
        Delay = delay;
    }

    /// <summary>How long the delivery waits before its next attempt.</summary>
    [Id(0)]
    public TimeSpan Delay { get; }
}
