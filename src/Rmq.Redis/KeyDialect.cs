namespace Rmq.Redis;

/// <summary>How queue names are wrapped in Redis keys. Never mix both in one Redis database.</summary>
public enum KeyDialect
{
    /// <summary>Go rmq's <c>OpenConnection</c>: <c>rmq::queue::[q]::ready</c>. The default.</summary>
    Classic = 0,

    /// <summary>Go rmq's <c>OpenClusterConnection</c>: <c>rmq::queue::{q}::ready</c>, one hash slot per queue (Redis Cluster).</summary>
    Cluster = 1,
}
