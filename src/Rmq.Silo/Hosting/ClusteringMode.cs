namespace Rmq.Silo.Hosting;

/// <summary>How silos find each other (and clients find silos).</summary>
public enum ClusteringMode
{
    /// <summary>One silo on loopback, no membership store: development and single-machine use.</summary>
    Localhost = 0,

    /// <summary>Membership in Redis (Orleans' Redis clustering): several silos form one cluster.</summary>
    Redis = 1,
}
