namespace Rmq;

/// <summary>
/// Implemented by user grains whose jobs may run longer than a grain call (Orleans' response timeout, 30 s by
/// default): reports, transcodes, a slow partner. While <see cref="Run"/> works, the consumer's silo renews the
/// delivery's lease with the queue (<c>Rmq:JobLease</c>, 30 s by default) — the consumer's code does nothing for
/// that. If the silo dies the renewals stop and the delivery is handed out again once the lease has passed, as a
/// failed attempt; a run longer than <c>Rmq:JobMaxRunTime</c> (2 h by default) is given up and dead-lettered with
/// <c>rmq-reason: max-run-time</c>. <see cref="JobContext.CancellationToken"/> fires when the job should stop:
/// see <see cref="JobCancelReason"/> for when, and what becomes of the delivery. Register it with
/// <see cref="IQueueGrain.AddLongRunningConsumer"/>.
/// </summary>
/// <remarks>
/// One job at a time per consumer, as <see cref="IConsumerGrain"/>. An exception is a failed attempt, as there;
/// an <see cref="OperationCanceledException"/> after the token fired is the job honouring the cancellation.
/// Go rmq sees nothing new: the delivery stays in the connection's unacked list while the lease is renewed.
/// </remarks>
public interface ILongRunningConsumerGrain : IGrain
{
    /// <summary>Runs one job and says what becomes of its delivery.</summary>
    /// <param name="delivery">The delivery, as <see cref="IConsumerGrain.Consume"/> gets it.</param>
    /// <param name="job">The job's lease, cancellation and progress.</param>
    [ResponseTimeout(JobContext.CallTimeoutText)]
    Task<DeliveryOutcome> Run(Delivery delivery, JobContext job);
}
