namespace Rmq;

/// <summary>
/// A job's stable identity: the rmq header <c>rmq-job-id</c>, given by the producer (<see cref="RmqMessage.WithJobId"/>)
/// or made at publish (<see cref="RmqMessage.WithNewJobId"/>), read by the consumer as <see cref="Delivery.JobId"/>. It is
/// a header like any other, so it stays the same across retries, redeliveries after a timeout or a lost lease,
/// dead-lettering and <see cref="IQueueGrain.ReturnRejected"/>, and a Go rmq consumer sees it as a header.
/// (<see cref="Delivery.Id"/> is another thing: the queue activation's number for one hand-out.)
/// </summary>
public static class JobIds
{
    /// <summary>The header that carries the id.</summary>
    public const string Header = "rmq-job-id";

    /// <summary>The longest id.</summary>
    public const int MaxLength = 200;

    /// <summary>A new id: a version 7 UUID (time-ordered), 32 hexadecimal digits.</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>Why <paramref name="id"/> cannot be a job id, or null when it can.</summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrEmpty(id)) return "A job id must not be empty.";
        if (id.Length > MaxLength) return $"A job id may be at most {MaxLength} characters; this one has {id.Length}.";
        if (id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            return $"A job id may not hold spaces or control characters: '{id}'. Use letters, digits and punctuation such as 'order-42'.";
        return null;
    }
}
