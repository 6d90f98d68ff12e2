namespace Rmq;

/// <summary>A delivery Rmq moved to rejected, as its <see cref="IDeadLetterHandlerGrain"/> gets it.</summary>
/// <param name="Queue">The queue it was dead-lettered from (it is in this queue's rejected list).</param>
/// <param name="Reason">Why: one of <see cref="DeadLetterHeaders"/>' reasons (<see cref="DeadLetterHeaders.RetriesExhausted"/>, …).</param>
/// <param name="Attempts">How many times it was handed to consumers.</param>
/// <param name="LastError">The last error, in words (cut to <see cref="DeadLetterHeaders.MaxLastErrorLength"/>), or null.</param>
/// <param name="JobId">Its job id (<see cref="JobIds.Header"/>), or null when it was published without one.</param>
/// <param name="PayloadBytes">The payload as published.</param>
/// <param name="Headers">Every rmq header of the element in rejected, the dead-letter headers included.</param>
[GenerateSerializer, Immutable]
public sealed record DeadLetter(
    [property: Id(0)] string Queue,
    [property: Id(1)] string Reason,
    [property: Id(2)] int Attempts,
    [property: Id(3)] string? LastError,
    [property: Id(4)] string? JobId,
    [property: Id(5)] byte[] PayloadBytes,
    [property: Id(6)] IReadOnlyDictionary<string, string[]> Headers)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Payload => System.Text.Encoding.UTF8.GetString(PayloadBytes);
}
