namespace Rmq;

/// <summary>
/// Reads the stats of every queue from Redis: <c>client.GetGrain&lt;IStatsGrain&gt;(0)</c>. A stateless
/// worker, so it runs on the silo that receives the call.
/// </summary>
public interface IStatsGrain : IGrainWithIntegerKey
{
    /// <summary>Every listed queue with its consuming connections and its engine's status, and the other connections.</summary>
    Task<StatsOverview> GetOverview();
}
