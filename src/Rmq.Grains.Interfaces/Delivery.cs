using System.Text;

namespace Rmq;

/// <summary>One delivery handed to a consumer.</summary>
/// <param name="Queue">The queue it was taken from.</param>
/// <param name="PayloadBytes">The payload, header stripped; bytes end to end.</param>
/// <param name="Headers">The rmq header, empty when the element had none.</param>
/// <param name="Id">The queue grain's id for this delivery (unique within one queue activation).</param>
[GenerateSerializer, Immutable]
public sealed record Delivery(
    [property: Id(0)] string Queue,
    [property: Id(1)] byte[] PayloadBytes,
    [property: Id(2)] IReadOnlyDictionary<string, string[]> Headers,
    [property: Id(3)] long Id)
{
    /// <summary>The payload decoded as UTF-8.</summary>
    public string Payload => Encoding.UTF8.GetString(PayloadBytes);

    /// <summary>
    /// Which attempt this is, from 1: the <c>rmq-attempt</c> header (<see cref="DeadLetterHeaders.Attempt"/>)
    /// that a retry sets, 1 when there is none (or it is not a positive number).
    /// </summary>
    public int Attempt =>
        int.TryParse(GetHeader(DeadLetterHeaders.Attempt), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var attempt) && attempt > 0 ? attempt : 1;

    /// <summary>The job id the producer gave (<see cref="RmqMessage.WithJobId"/>, the <c>rmq-job-id</c> header), the same on every attempt; or null.</summary>
    public string? JobId => GetHeader(JobIds.Header);

    /// <summary>The first value of a header, or <c>null</c>. Keys are matched exactly, as Go rmq stores them.</summary>
    public string? GetHeader(string key) =>
        Headers.TryGetValue(key, out var values) && values.Length > 0 ? values[0] : null;
}
