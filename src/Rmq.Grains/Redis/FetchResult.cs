namespace Rmq.Redis;

/// <summary>What one apply-and-fetch round trip did.</summary>
/// <param name="Fetched">Raw elements moved from ready to unacked, oldest first.</param>
/// <param name="Missing">Finished elements that were no longer in unacked (a cleaner took them).</param>
/// <param name="Room">Free prefetch slots Redis saw before fetching.</param>
internal readonly record struct FetchResult(List<byte[]> Fetched, long Missing, long Room);
