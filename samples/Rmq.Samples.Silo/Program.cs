using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Rmq.Diagnostics;
using Rmq.Samples.Silo;
using StackExchange.Redis;

// dotnet run --project samples/Rmq.Samples.Silo
// Settings: appsettings.json, then the command line (--Rmq:RedisConnectionString host:port, --Silo:SiloPort,
// --Silo:GatewayPort, and the queue's --Orders:Prefetch, --Orders:Consumers, --Orders:PushTo, --Orders:Version).
// Under the Aspire app host (samples/Rmq.Samples.AppHost) the cluster comes from the Orleans:* settings it gives.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var silo = builder.Configuration.GetSection("Silo");
var orders = builder.Configuration.GetSection("Orders");

// Metrics: the meter "Rmq" (published, delivered, acked, ... by queue) through OpenTelemetry; over OTLP when
// an endpoint is configured (Aspire's app host sets OTEL_EXPORTER_OTLP_ENDPOINT to its dashboard).
var metrics = builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(RmqMetrics.MeterName));
if (builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 }) metrics.UseOtlpExporter();

// Aspire's Orleans integration names a clustering provider (Orleans:Clustering:ProviderType "Redis") and the
// connection it uses (Orleans:Clustering:ServiceKey, with ConnectionStrings:<key>); UseOrleans reads those and
// Orleans:ClusterId, Orleans:ServiceId. Without them (dotnet run on its own): one silo, localhost clustering.
var aspireCluster = builder.Configuration.GetSection("Orleans:Clustering");
if (aspireCluster["ProviderType"] is { Length: > 0 } && aspireCluster["ServiceKey"] is { Length: > 0 } serviceKey)
{
    // Orleans' Redis clustering takes the multiplexer registered under the service key.
    var redis = builder.Configuration.GetConnectionString(serviceKey)
        ?? throw new InvalidOperationException($"ConnectionStrings:{serviceKey} is not set (Orleans:Clustering:ServiceKey names it)");
    builder.Services.AddKeyedSingleton<IConnectionMultiplexer>(serviceKey, (_, _) => ConnectionMultiplexer.Connect(redis));
}

builder.UseOrleans(orleans =>
{
    if (aspireCluster["ProviderType"] is { Length: > 0 })
    {
        // The ports Aspire allocated for this replica; the address the silos reach each other at: loopback, as they
        // run on this machine (Orleans:Endpoints:AdvertisedIPAddress for silos on several machines).
        var endpoints = builder.Configuration.GetSection("Orleans:Endpoints");
        orleans.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = IPAddress.Parse(endpoints["AdvertisedIPAddress"] ?? "127.0.0.1");
            o.SiloPort = endpoints.GetValue("SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
            o.GatewayPort = endpoints.GetValue("GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);
        });
    }
    else
    {
        // One silo on this machine; cluster and service id "rmq", the client library's and the rmq tool's defaults.
        orleans.UseLocalhostClustering(silo.GetValue("SiloPort", 11111), silo.GetValue("GatewayPort", 30000), serviceId: "rmq", clusterId: "rmq");
    }
    orleans
        .AddRmq(builder.Configuration.GetSection("Rmq"))
        // The queue's consuming state, declared: applied when the silo starts. A release that changes a setting
        // or the consumers changes them in Redis; a lower Version (an older release still starting) changes nothing.
        .AddRmqQueue("orders", q =>
        {
            q.Prefetch(orders.GetValue("Prefetch", 20))
                .Poll(TimeSpan.FromMilliseconds(100))
                .Consumer<IOrderConsumer>("orders", count: orders.GetValue("Consumers", 1))
                .Version(orders.GetValue("Version", 0L));
            if (orders["PushTo"] is { Length: > 0 } pushTo) q.PushTo(pushTo);
        });
});

await builder.Build().RunAsync();
