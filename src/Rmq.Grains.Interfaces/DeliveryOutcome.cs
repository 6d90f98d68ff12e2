namespace Rmq;

/// <summary>What a consumer decided about a delivery.</summary>
[GenerateSerializer]
public enum DeliveryOutcome
{
    /// <summary>Done: the delivery is removed from the unacked list.</summary>
    Ack = 0,

    /// <summary>Moved to the front (left end) of the queue's rejected list.</summary>
    Reject = 1,

    /// <summary>Moved to the back of the push queue's ready list; Reject when no push queue is set.</summary>
    Push = 2,

    /// <summary>
    /// Try again later. With a retry policy (<see cref="IQueueGrain.SetRetryPolicy"/>) the delivery waits
    /// out the policy's backoff among the queue's scheduled deliveries and comes back with
    /// <see cref="Delivery.Attempt"/> one higher; after the policy's last attempt it goes to rejected with
    /// headers saying why. Without a policy, as a consumer that throws: Push (Reject when no push queue is set).
    /// </summary>
    Retry = 3,
}
