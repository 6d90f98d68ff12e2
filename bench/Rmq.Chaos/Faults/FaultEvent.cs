namespace Rmq.Chaos;

/// <summary>One injected fault: what, on what, when it began and when it was over (times since the run began).</summary>
internal sealed record FaultEvent(FaultKind Kind, string Target, TimeSpan Start, TimeSpan End, string Detail)
{
    public override string ToString() => $"{Start.TotalSeconds,7:F1} s  {Kind.Name(),-13} {Target,-28} over after {(End - Start).TotalSeconds:F1} s  {Detail}";
}
