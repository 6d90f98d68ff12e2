namespace Rmq.Silo.Http;

/// <summary>The body of <c>/health</c>: healthy when Redis answers and this silo is active in the cluster.</summary>
/// <param name="Status"><c>healthy</c> or <c>unhealthy</c>.</param>
/// <param name="Redis"><c>ok</c>, or why Redis did not answer.</param>
/// <param name="Silo">This silo's membership status (<c>Active</c> when serving).</param>
/// <param name="SiloAddress">This silo's address.</param>
/// <param name="ActiveSilos">How many silos this silo sees as active in the cluster (itself included).</param>
internal sealed record HealthReport(string Status, string Redis, string Silo, string SiloAddress, int ActiveSilos);
