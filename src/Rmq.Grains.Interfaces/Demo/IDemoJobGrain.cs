namespace Rmq.Demo;

/// <summary>
/// The demo's long-running consumer, hosted by every Rmq silo: a payload <c>&lt;ms&gt;</c> (or
/// <c>&lt;ms&gt;:&lt;anything&gt;</c>) works that many milliseconds, reporting its progress every 100 ms, stops when
/// its token fires, and acks.
/// </summary>
public interface IDemoJobGrain : ILongRunningConsumerGrain, IGrainWithIntegerKey
{
    /// <summary>
    /// The name of the silo this activation runs on. Calling it activates the grain: with Orleans' placement hint
    /// (<c>IPlacementDirector.PlacementHintKey</c>), that is how a test puts a job's consumer on a chosen silo.
    /// </summary>
    Task<string> GetSiloName();
}
