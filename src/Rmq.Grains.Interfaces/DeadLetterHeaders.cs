namespace Rmq;

/// <summary>
/// rmq headers Rmq adds to a delivery it moves to rejected by itself (not because a consumer returned
/// Reject), so whoever looks at rejected — a person, a Go rmq consumer — can see why.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>Why the delivery was rejected: <see cref="ConsumerTimeout"/>.</summary>
    public const string Reason = "rmq-reason";

    /// <summary>How many times it was handed to consumers.</summary>
    public const string Attempts = "rmq-attempts";

    /// <summary>The last error, in words.</summary>
    public const string LastError = "rmq-last-error";

    /// <summary><see cref="Reason"/>: no consumer answered within <c>Rmq:ConsumerTimeout</c>, <c>Rmq:ConsumerMaxAttempts</c> times.</summary>
    public const string ConsumerTimeout = "consumer-timeout";
}
