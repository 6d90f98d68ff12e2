using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rmq.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary><c>services.AddHealthChecks().AddRmq()</c>: Rmq's health joins the application's own.</summary>
public static class RmqHealthCheckBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="RmqHealthCheck"/> as <paramref name="name"/> (default <c>rmq</c>): unhealthy
    /// (<paramref name="failureStatus"/>) when Redis does not answer or this silo is not active, degraded while a
    /// queue consuming on this silo is stalled. The application must host an Rmq silo in the same process.
    /// </summary>
    public static IHealthChecksBuilder AddRmq(this IHealthChecksBuilder builder, string name = "rmq", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<RmqHealthCheck>();
        return builder.Add(new HealthCheckRegistration(name, sp => sp.GetRequiredService<RmqHealthCheck>(), failureStatus, tags));
    }
}
