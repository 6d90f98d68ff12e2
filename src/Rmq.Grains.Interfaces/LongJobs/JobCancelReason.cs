namespace Rmq;

/// <summary>Why a long-running job's <see cref="JobContext.CancellationToken"/> fired, and what becomes of its delivery if the job stops.</summary>
[GenerateSerializer]
public enum JobCancelReason
{
    /// <summary>Not cancelled.</summary>
    None = 0,

    /// <summary>The queue was paused: back to the front of ready, no attempt counted.</summary>
    Paused = 1,

    /// <summary>The queue stopped consuming: back to the front of ready, no attempt counted.</summary>
    Stopped = 2,

    /// <summary>The consumer's silo is shutting down gracefully: back to the front of ready, no attempt counted.</summary>
    Shutdown = 3,

    /// <summary>An operator cancelled the job (<see cref="IQueueGrain.CancelInFlight"/>): to rejected with <c>rmq-reason: cancelled</c>.</summary>
    Operator = 4,

    /// <summary>
    /// The queue no longer holds this run (its lease passed without a renewal, or the queue moved): the delivery was
    /// already handed out again, and whatever this run returns is dropped.
    /// </summary>
    LeaseLost = 5,

    /// <summary>The run passed <c>Rmq:JobMaxRunTime</c>: the delivery was dead-lettered with <c>rmq-reason: max-run-time</c>; what this run returns is dropped.</summary>
    MaxRunTime = 6,
}
