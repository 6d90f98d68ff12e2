namespace Rmq;

/// <summary>
/// The singleton cleaner (<c>GetGrain&lt;ICleanerGrain&gt;(0)</c>). It returns the unacked deliveries of
/// dead rmq connections — Rmq's and Go rmq's — to ready, as Go rmq's cleaner does. It runs by itself
/// on a timer, and at once when Orleans declares a silo dead.
/// </summary>
public interface ICleanerGrain : IGrainWithIntegerKey
{
    /// <summary>Runs one pass now; returns how many deliveries went back to ready.</summary>
    Task<long> Clean();

    /// <summary>
    /// Does nothing but make sure the cleaner is activated, and with it its timer. Every silo calls it
    /// periodically, so the cleaner comes back by itself after the silo it lived on died.
    /// </summary>
    Task Ping();

    /// <summary>
    /// The last pass of this activation (by its timer, a silo's death or <see cref="Clean"/>), or null when it
    /// has made none yet. Kept in memory: after the cleaner's silo dies, its next activation starts afresh.
    /// </summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<CleanerPass?> GetLastPass();
}
