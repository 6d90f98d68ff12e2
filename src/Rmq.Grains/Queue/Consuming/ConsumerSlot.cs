namespace Rmq.Queue;

/// <summary>One registered consumer and what it is doing: at most one delivery (or batch) in flight.</summary>
internal sealed class ConsumerSlot(ConsumerRegistration registration, IConsumerGrain? single, IBatchConsumerGrain? batch,
    ILongRunningConsumerGrain? longRunning = null)
{
    public ConsumerRegistration Registration { get; } = registration;
    public IConsumerGrain? Single { get; } = single;
    public IBatchConsumerGrain? Batch { get; } = batch;
    public ILongRunningConsumerGrain? LongRunning { get; } = longRunning;

    /// <summary>A call to the consumer is under way (it may outlive its timeout: the grain is still busy).</summary>
    public bool Busy { get; set; }

    /// <summary>While <see cref="Busy"/>: how many deliveries the call holds (the flow limits count them).</summary>
    public int Holding { get; set; }

    /// <summary>After a failure: no deliveries before this time.</summary>
    public DateTime RetryAt { get; set; }

    /// <summary>Calls in a row that threw or timed out; the backoff grows with it.</summary>
    public int Failures { get; set; }

    /// <summary>Batch consumers: when the current batch started to fill (the timeout counts from here).</summary>
    public DateTime? FillStartedAt { get; set; }
}
