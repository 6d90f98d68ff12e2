namespace Rmq;

/// <summary>
/// Thrown by a consumer when trying again cannot help (a validation error, an order that no longer exists): the
/// delivery goes straight to rejected, under a retry policy or not, with <c>rmq-reason: permanent-failure</c>,
/// <c>rmq-attempts</c> (the attempt that failed) and the message in <c>rmq-last-error</c>; it is not pushed to the
/// push queue. A batch consumer's throw applies to every delivery of the call.
/// </summary>
[GenerateSerializer]
public sealed class PermanentFailureException : Exception
{
    /// <summary>A permanent failure, said in <paramref name="reason"/> (it becomes <c>rmq-last-error</c>).</summary>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty.</exception>
    public PermanentFailureException(string reason)
        : base(reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
    }

    /// <summary>A permanent failure caused by <paramref name="inner"/>.</summary>
    public PermanentFailureException(string reason, Exception inner)
        : base(reason, inner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
    }
}
