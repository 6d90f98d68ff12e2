using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Runtime;
using Rmq.AspNetCore;
using Rmq.Diagnostics;
using Rmq.Redis;
using Rmq.Silo;
using Rmq.Silo.Hosting;
using Rmq.Silo.Http;
using Rmq.Silo.Metrics;

// Usage: Rmq.Silo [--Rmq:RedisConnectionString host:port] [--Silo:Clustering Redis] [--urls http://127.0.0.1:3333] ...
// Settings come from appsettings.json, then RMQ__-prefixed environment variables, then the command line.
// Exit codes: 0 stopped normally, 1 could not start (Redis unreachable, a port in use), 2 invalid setting
// (or a Redis setting Rmq refuses: an evicting maxmemory-policy; or a server that cannot run Rmq's scripts).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddEnvironmentVariables("RMQ__");
// Added again so the command line wins over RMQ__ variables.
builder.Configuration.AddCommandLine(args);

SiloSettings settings;
bool allowEvictingRedis;
RmqDashboardOptions dashboard;
try
{
    settings = SiloSettings.Load(builder.Configuration);
    allowEvictingRedis = RedisSettingsCheck.AllowEvicting(builder.Configuration);
    dashboard = DashboardSettings.Load(builder.Configuration);
}
catch (SettingsException e)
{
    await Console.Error.WriteLineAsync($"rmq silo: {e.Message}");
    return 2;
}

builder.WebHost.UseUrls([.. settings.Urls]);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Host.ShutdownTimeout);
builder.Services.AddSingleton<EmbeddedRedis>();
builder.Services.AddSingleton<RedisStatsReader>();
builder.Services.AddSingleton<QueueGauges>();
builder.Services.AddRmqDashboard(o =>
{
    o.ApiKey = dashboard.ApiKey;
    o.AllowLoopbackWithoutKey = dashboard.AllowLoopbackWithoutKey;
    o.HistorySeconds = dashboard.HistorySeconds;
    o.ActionAccess = dashboard.ActionAccess;
    o.MetricsLink = dashboard.MetricsLink ?? "/metrics";
});
builder.Services.AddHealthChecks().AddRmq();
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("rmq-silo", serviceInstanceId: settings.Host.Name))
    .WithMetrics(metrics => metrics
    .AddMeter(RmqMetrics.MeterName)
    // No response cache: a scrape right after a change must show it.
    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
builder.UseOrleans(silo => SiloSetup.Configure(silo, settings, builder.Configuration.GetSection("Rmq")));

await using var app = builder.Build();
var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rmq.Silo");
try
{
    // Orleans runs these at start too; running them first keeps a wrong setting from touching Redis.
    foreach (var validator in app.Services.GetServices<IConfigurationValidator>()) validator.ValidateConfiguration();
}
catch (Exception e) when (e is OrleansConfigurationException or InvalidOperationException)
{
    // Rmq's validator says "Invalid Rmq setting: ..."; the binder names the key in its own words.
    await Console.Error.WriteLineAsync($"rmq silo: {(e.Message.StartsWith("Invalid", StringComparison.Ordinal) ? e.Message : "Invalid setting: " + e.Message)}");
    return 2;
}

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, _) => stopping.Cancel();
try
{
    // Disposed with the host, after the silo has stopped.
    await app.Services.GetRequiredService<EmbeddedRedis>().EnsureAsync(settings.RedisConnectionString, settings.EmbeddedRedis, stopping.Token);
    await RedisPreflight.CheckAsync(settings.RedisConnectionString, "Rmq:RedisConnectionString", settings.RedisTlsCaCertificate, stopping.Token);
    // maxmemory-policy must be noeviction (else exit 2); AOF off is a warning. Same TLS trust as every other connection.
    await RedisSettingsCheck.CheckAsync(RedisConfiguration.Create(settings.RedisConnectionString, settings.RedisTlsCaCertificate),
        "Rmq:RedisConnectionString", allowEvictingRedis, log, stopping.Token);
    // A server that cannot run Rmq's scripts (no Lua, or scripts that are not atomic) is refused with exit 2.
    await RedisServerPreflight.CheckAsync(RedisConfiguration.Create(settings.RedisConnectionString, settings.RedisTlsCaCertificate), log, stopping.Token);
    if (settings.Host.Clustering == ClusteringMode.Redis && settings.ClusteringRedis != settings.RedisConnectionString)
        await RedisPreflight.CheckAsync(settings.ClusteringRedis, "Silo:ClusteringRedis", settings.RedisTlsCaCertificate, stopping.Token);
}
catch (SettingsException e)
{
    await Console.Error.WriteLineAsync($"rmq silo: {e.Message}");
    return 2;
}
catch (Rmq.RedisServerNotSupportedException e)
{
    await Console.Error.WriteLineAsync($"rmq silo: {e.Message}");
    return 2;
}
catch (InvalidOperationException e)
{
    await Console.Error.WriteLineAsync($"rmq silo: {e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    return 1;
}

// Creates the per-queue gauges on the Rmq meter before the first scrape.
app.Services.GetRequiredService<QueueGauges>();
app.MapRmqEndpoints();
app.MapRmqDashboard("/");
try
{
    await app.StartAsync();
}
// Kestrel reports a taken HTTP port as IOException; Orleans a taken silo or gateway port as AddressInUseException.
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Microsoft.AspNetCore.Connections.AddressInUseException or OrleansException)
{
    await Console.Error.WriteLineAsync($"rmq silo: could not start: {e.Message} (check Silo:SiloPort, Silo:GatewayPort and --urls for ports in use)");
    return 1;
}

var silo = app.Services.GetRequiredService<ILocalSiloDetails>();
// demo.sh and people wait for this line: the silo is active in the cluster and HTTP is up.
SiloLog.Active(log, silo.Name, settings.Host.GatewayPort, string.Join(" ", settings.Urls), settings.Host.Clustering,
    settings.RedisForDisplay);
await app.WaitForShutdownAsync();
SiloLog.Stopped(log, silo.Name);
return 0;
