namespace Rmq.Redis;

/// <summary>What one apply-and-fetch round trip did.</summary>
/// <param name="Fetched">Raw elements moved from ready to unacked, oldest first.</param>
/// <param name="Missing">Finished elements that were no longer in unacked (a cleaner took them).</param>
/// <param name="Room">Free prefetch slots Redis saw before fetching.</param>
/// <param name="ReadyLength">LLEN ready after the fetch: work still waiting.</param>
/// <param name="Replayed">The outcome batch had already been applied by an earlier try whose reply was lost; it was not applied again.</param>
internal readonly record struct FetchResult(List<byte[]> Fetched, long Missing, long Room, long ReadyLength, bool Replayed);
