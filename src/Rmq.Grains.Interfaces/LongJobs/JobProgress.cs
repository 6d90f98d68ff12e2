namespace Rmq;

/// <summary>What a long-running job last said about its progress (<see cref="JobContext.ReportProgress"/>).</summary>
/// <param name="Percent">0–100, or null when the job gives only a text.</param>
/// <param name="Text">A short text (at most <see cref="MaxTextLength"/> characters), or null.</param>
[GenerateSerializer, Immutable]
public sealed record JobProgress([property: Id(0)] double? Percent, [property: Id(1)] string? Text)
{
    /// <summary>The longest progress text kept; longer ones are cut.</summary>
    public const int MaxTextLength = 200;
}
