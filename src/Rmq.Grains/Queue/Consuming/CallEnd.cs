namespace Rmq.Queue;

/// <summary>How a consumer call ended, as far as the slot's backoff is concerned.</summary>
internal enum CallEnd
{
    /// <summary>The consumer returned outcomes.</summary>
    Completed,

    /// <summary>The consumer threw: it ran and failed.</summary>
    Failed,

    /// <summary>The call timed out: the consumer may still be running it, or have finished it.</summary>
    TimedOut,

    /// <summary>Orleans rejected the call (the consumer's silo is gone): it never ran.</summary>
    NeverRan,
}
