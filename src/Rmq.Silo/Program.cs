using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rmq.Hosting;
using Rmq.Silo;
using Rmq.Silo.Demo;

// Usage: Rmq.Silo [demo [--messages N]] [--Rmq:RedisConnectionString host:port] ...
// Settings come from appsettings.json, then RMQ__-prefixed environment variables, then the command line.
var demo = args.Length > 0 && args[0] == "demo";
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = demo ? args[1..] : args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddEnvironmentVariables("RMQ__");
var section = builder.Configuration.GetSection("Rmq");
var rmq = section.Get<RmqOptions>() ?? new RmqOptions();

builder.Services.AddSingleton<EmbeddedRedis>();
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering();
    silo.AddRmq(section);
});

using var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rmq.Silo");
// Disposed with the host, after the silo has stopped.
var embedded = host.Services.GetRequiredService<EmbeddedRedis>();
try
{
    await embedded.EnsureAsync(rmq.RedisConnectionString, section.GetValue("EmbeddedRedis", true), CancellationToken.None);
}
catch (InvalidOperationException e)
{
    log.LogCritical("{Problem}", e.Message);
    return 2;
}

await host.StartAsync();
if (!demo)
{
    log.LogInformation("Rmq silo started; Redis at {Redis}. Ctrl-C stops it.", rmq.RedisConnectionString);
    await host.WaitForShutdownAsync();
    return 0;
}

var messages = builder.Configuration.GetValue("messages", 50_000);
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
var exitCode = await new DemoRunner(host.Services.GetRequiredService<IGrainFactory>()).RunAsync(messages, lifetime.ApplicationStopping);
await host.StopAsync();
return exitCode;
