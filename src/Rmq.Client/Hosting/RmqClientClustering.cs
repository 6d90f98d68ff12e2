namespace Rmq.Hosting;

/// <summary>How the client finds the silos.</summary>
public enum RmqClientClustering
{
    /// <summary>One silo on this machine, at <see cref="RmqClientOptions.GatewayPort"/> (the silo's <c>Silo:Clustering=Localhost</c>).</summary>
    Localhost = 0,

    /// <summary>Every silo of the cluster, from the membership that the silos keep in Redis (<c>Silo:Clustering=Redis</c>).</summary>
    Redis = 1,
}
