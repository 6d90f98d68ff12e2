namespace Rmq;

/// <summary>
/// A long-running job stopped because its <see cref="JobContext.CancellationToken"/> fired. Thrown to the queue by
/// the consumer's silo in place of the job's <see cref="OperationCanceledException"/>, so the queue knows why.
/// </summary>
[GenerateSerializer]
public sealed class JobCancelledException : OperationCanceledException
{
    /// <summary>A job that stopped for <paramref name="reason"/>.</summary>
    public JobCancelledException(JobCancelReason reason)
        : base($"The job was cancelled: {reason}.") => Reason = reason;

    /// <summary>Why it was cancelled.</summary>
    [Id(0)]
    public JobCancelReason Reason { get; }
}
