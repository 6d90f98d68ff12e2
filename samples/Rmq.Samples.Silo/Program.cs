using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Rmq.Samples.Silo;

// dotnet run --project samples/Rmq.Samples.Silo
// Settings: appsettings.json, then the command line (--Rmq:RedisConnectionString host:port, --Silo:SiloPort,
// --Silo:GatewayPort, and the queue's --Orders:Prefetch, --Orders:Consumers, --Orders:PushTo, --Orders:Version).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var silo = builder.Configuration.GetSection("Silo");
var orders = builder.Configuration.GetSection("Orders");
builder.UseOrleans(orleans => orleans
    // One silo on this machine; cluster and service id "rmq", the client library's and the rmq tool's defaults.
    .UseLocalhostClustering(silo.GetValue("SiloPort", 11111), silo.GetValue("GatewayPort", 30000), serviceId: "rmq", clusterId: "rmq")
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
    }));

await builder.Build().RunAsync();
