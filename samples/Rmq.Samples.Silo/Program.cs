using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rmq.Samples.Silo;

// dotnet run --project samples/Rmq.Samples.Silo
// Settings: appsettings.json, then the command line (--Rmq:RedisConnectionString host:port, --Silo:SiloPort, --Silo:GatewayPort).
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var silo = builder.Configuration.GetSection("Silo");
builder.UseOrleans(orleans => orleans
    // One silo on this machine; cluster and service id "rmq", the client library's and the rmq tool's defaults.
    .UseLocalhostClustering(silo.GetValue("SiloPort", 11111), silo.GetValue("GatewayPort", 30000), serviceId: "rmq", clusterId: "rmq")
    .AddRmq(builder.Configuration.GetSection("Rmq")));
builder.Services.AddHostedService<ConsumerRegistration>();

await builder.Build().RunAsync();
