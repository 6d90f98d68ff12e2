namespace Rmq.Demo;

/// <summary>
/// The demo's long-running consumer, hosted by every Rmq silo: a payload <c>&lt;ms&gt;</c> (or
/// <c>&lt;ms&gt;:&lt;anything&gt;</c>) works that many milliseconds, reporting its progress every 100 ms, stops when
/// its token fires, and acks.
/// </summary>
public interface IDemoJobGrain : ILongRunningConsumerGrain, IGrainWithIntegerKey;
