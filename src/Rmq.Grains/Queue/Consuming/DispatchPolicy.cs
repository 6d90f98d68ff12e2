namespace Rmq.Queue;

/// <summary>The timing rules of dispatching, taken from <see cref="Hosting.RmqOptions"/>.</summary>
/// <param name="UnreachableDelay">A consumer whose call never ran gets nothing for this long.</param>
/// <param name="FailureBackoff">The first pause after a consumer threw or timed out; doubled for each further failure in a row.</param>
/// <param name="MaxFailureBackoff">The longest pause, for a consumer and for a delivery's redelivery.</param>
/// <param name="RedeliveryBackoff">The first pause before a delivery whose call timed out is handed out again; doubled per attempt.</param>
internal sealed record DispatchPolicy(TimeSpan UnreachableDelay, TimeSpan FailureBackoff, TimeSpan MaxFailureBackoff, TimeSpan RedeliveryBackoff)
{
    /// <summary>The pause after <paramref name="failures"/> failures in a row (≥ 1).</summary>
    public TimeSpan ConsumerBackoff(int failures) => Grow(FailureBackoff, failures);

    /// <summary>The pause before the next attempt of a delivery whose call timed out <paramref name="attempts"/> times.</summary>
    public TimeSpan Redelivery(int attempts) => Grow(RedeliveryBackoff, attempts);

    private TimeSpan Grow(TimeSpan first, int times)
    {
        var ticks = first.Ticks * Math.Pow(2, Math.Clamp(times - 1, 0, 30));
        return ticks >= MaxFailureBackoff.Ticks ? MaxFailureBackoff : TimeSpan.FromTicks((long)ticks);
    }
}
