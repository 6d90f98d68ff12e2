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
}
