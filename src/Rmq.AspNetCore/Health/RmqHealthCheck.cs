using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Redis;

namespace Rmq.AspNetCore.Health;

/// <summary>
/// The health of this silo's Rmq: Redis answers a <c>PING</c> within 5 s and the silo is active in the cluster
/// (else unhealthy); a queue consuming on this silo that has work and made no progress for <c>Rmq:StallTimeout</c>
/// makes it degraded, with the queues and why in the result's data. Registered with
/// <c>services.AddHealthChecks().AddRmq()</c>, so it joins the application's own health endpoint.
/// </summary>
public sealed class RmqHealthCheck(RedisConnection redis, IClusterMembershipService membership, ILocalSiloDetails silo, LocalQueueStatuses queues) : IHealthCheck
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the check and returns every figure it looked at.</summary>
    public async Task<RmqHealthReport> ProbeAsync(CancellationToken cancellationToken = default)
    {
        string redisStatus;
        try
        {
            var db = await redis.GetDatabaseAsync();
            await db.PingAsync().WaitAsync(PingTimeout, cancellationToken);
            redisStatus = "ok";
        }
        // A server error (LOADING, MISCONF, NOAUTH) is Redis not serving too.
        catch (Exception e) when (e is RedisUnavailableException or TimeoutException or StackExchange.Redis.RedisException || RedisConnection.IsUnavailable(e))
        {
            redisStatus = e.Message;
        }
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var serving = redisStatus == "ok" && status == SiloStatus.Active;
        var active = snapshot.Members.Count(m => m.Value.Status == SiloStatus.Active);
        var stalled = queues.Snapshot().Where(q => q.Status.Stalled)
            .Select(q => new StalledQueue(q.Queue, q.Status.StalledReason ?? "", q.Status.State.ToString())).ToList();
        var verdict = !serving ? "unhealthy" : stalled.Count > 0 ? "degraded" : "healthy";
        return new RmqHealthReport(verdict, redisStatus, status.ToString(), silo.SiloAddress.ToString(), active, stalled);
    }

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = await ProbeAsync(cancellationToken);
        var data = new Dictionary<string, object>
        {
            ["redis"] = report.Redis,
            ["silo"] = report.Silo,
            ["siloAddress"] = report.SiloAddress,
            ["activeSilos"] = report.ActiveSilos,
            ["stalledQueues"] = report.StalledQueues.Select(q => $"{q.Queue}: {q.Reason}").ToArray(),
        };
        if (!report.IsServing)
        {
            var why = report.Redis != "ok" ? $"Redis does not answer: {report.Redis}" : $"this silo is {report.Silo}, not Active, in the cluster";
            return new HealthCheckResult(context.Registration.FailureStatus, $"Rmq: {why}", data: data);
        }
        return report.StalledQueues.Count > 0
            ? HealthCheckResult.Degraded($"Rmq: {report.StalledQueues.Count} queue(s) stalled: {string.Join("; ", report.StalledQueues.Select(q => $"{q.Queue} ({q.Reason})"))}", data: data)
            : HealthCheckResult.Healthy("Rmq: Redis answers and this silo is active", data);
    }
}
