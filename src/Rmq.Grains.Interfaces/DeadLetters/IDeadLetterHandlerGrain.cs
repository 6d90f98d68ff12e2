namespace Rmq;

/// <summary>
/// A grain a queue calls for each delivery that Rmq itself moves to rejected — retries exhausted, consumer timeouts, the
/// maximum run time, a permanent failure, an operator's cancel — once that move is in Redis
/// (<see cref="IQueueGrain.SetDeadLetterHandler"/>). At least once: the notice is written by the same script that moves the
/// delivery, and removed only after this call returned, so a silo that dies in between has it called again by the next
/// activation of the queue. Use <see cref="DeadLetter.JobId"/> to spot a repeat.
/// </summary>
/// <remarks>
/// Calls come one at a time, oldest dead letter first. A call that throws (or times out) is retried after a backoff
/// (1 s doubling up to 1 min) with the same notice, and the notices after it wait: a handler that always throws holds them
/// all, and the queue logs a warning with the backlog at each failure. Notices wait in Redis while no activation of the
/// queue runs (a consuming queue is activated again by the cleaner; one that does not consume, by its next call). Deliveries a consumer rejected itself
/// (<see cref="DeliveryOutcome.Reject"/>) and elements with a faulty header are not dead letters in this sense: no call.
/// </remarks>
public interface IDeadLetterHandlerGrain : IGrainWithStringKey
{
    /// <summary>One delivery has been dead-lettered: it was moved to the queue's rejected list, with the headers that say why.</summary>
    Task OnDeadLettered(DeadLetter deadLetter);
}
