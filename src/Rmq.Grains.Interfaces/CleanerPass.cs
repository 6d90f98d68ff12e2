namespace Rmq;

/// <summary>The cleaner's last pass (<see cref="ICleanerGrain.GetLastPass"/>), as the cleaner grain remembers it.</summary>
/// <param name="At">When it ended.</param>
/// <param name="Silo">The silo the cleaner ran on.</param>
/// <param name="Returned">Unacked deliveries of dead connections it returned to ready.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Error">Why it failed (Redis unreachable), or null when it completed.</param>
[GenerateSerializer, Immutable]
public sealed record CleanerPass(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Silo,
    [property: Id(2)] long Returned,
    [property: Id(3)] TimeSpan Duration,
    [property: Id(4)] string? Error);
