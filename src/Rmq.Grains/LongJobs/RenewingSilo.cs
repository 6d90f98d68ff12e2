namespace Rmq.LongJobs;

/// <summary>
/// The silo a lease renewal comes from, carried in the renewal's request context (not in
/// <see cref="IJobLeaseGrain.RenewLease"/>'s arguments, so silos of the previous version still call it): a queue that
/// deactivates knows which of its runs lived on a silo that has died, and counts those as lost rather than released.
/// </summary>
internal static class RenewingSilo
{
    private const string Key = "rmq-renewing-silo";

    /// <summary>Marks the calls that follow on this flow (the renewal loop's) as coming from <paramref name="silo"/>.</summary>
    public static void Set(SiloAddress silo) => RequestContext.Set(Key, silo);

    /// <summary>
    /// Takes the mark off this flow: a queue activated by a renewal inherits its request context (Orleans hands the
    /// activating message's to OnActivateAsync), and its calls to consumers must not carry that silo on.
    /// </summary>
    public static void Clear() => RequestContext.Remove(Key);

    /// <summary>The silo the current call says it renews from, or null (a silo that does not say).</summary>
    public static SiloAddress? Current => RequestContext.Get(Key) as SiloAddress;
}
