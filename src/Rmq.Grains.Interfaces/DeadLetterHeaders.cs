namespace Rmq;

/// <summary>
/// rmq headers Rmq adds to a delivery it moves to rejected by itself (not because a consumer returned
/// Reject), so whoever looks at rejected — a person, a Go rmq consumer — can see why; and the attempt
/// number a retry carries. Rmq's own header keys: Go rmq passes them on as any other header.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>
    /// On a retried delivery: which attempt it is (2 for the first retry). Read it as <see cref="Delivery.Attempt"/>.
    /// Removed when the delivery is dead-lettered (<see cref="Attempts"/> says how many there were) and by
    /// <see cref="IQueueGrain.ReturnRejected"/>, so a returned delivery starts again at attempt 1.
    /// </summary>
    public const string Attempt = "rmq-attempt";

    /// <summary>The most characters of <see cref="LastError"/> kept: an exception's message can be long.</summary>
    public const int MaxLastErrorLength = 1000;

    /// <summary>Every header <see cref="IQueueGrain.ReturnRejected"/> removes: they describe the rejection it undoes.</summary>
    public static IReadOnlyList<string> RetryHeaders { get; } = [Attempt, Reason, Attempts, LastError];

    /// <summary>Why the delivery was rejected: <see cref="ConsumerTimeout"/>.</summary>
    public const string Reason = "rmq-reason";

    /// <summary>How many times it was handed to consumers.</summary>
    public const string Attempts = "rmq-attempts";

    /// <summary>The last error, in words.</summary>
    public const string LastError = "rmq-last-error";

    /// <summary><see cref="Reason"/>: no consumer answered within <c>Rmq:ConsumerTimeout</c>, <c>Rmq:ConsumerMaxAttempts</c> times.</summary>
    public const string ConsumerTimeout = "consumer-timeout";

    /// <summary><see cref="Reason"/>: the queue's retry policy allowed no more attempts.</summary>
    public const string RetriesExhausted = "retries-exhausted";

    /// <summary><see cref="Reason"/>: a long-running job ran longer than <c>Rmq:JobMaxRunTime</c>.</summary>
    public const string MaxRunTime = "max-run-time";

    /// <summary><see cref="Reason"/>: the consumer threw <see cref="PermanentFailureException"/>; no attempt followed.</summary>
    public const string PermanentFailure = "permanent-failure";

    /// <summary><see cref="Reason"/>: an operator cancelled the running job (<see cref="IQueueGrain.CancelInFlight"/>) and it stopped.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Cuts an error text to <see cref="MaxLastErrorLength"/> characters, marking the cut with "…".</summary>
    public static string Truncate(string error)
    {
        if (error.Length <= MaxLastErrorLength) return error;
        var keep = MaxLastErrorLength - 1;
        if (char.IsHighSurrogate(error[keep - 1])) keep--; // never half a character
        return string.Concat(error.AsSpan(0, keep), "…");
    }
}
