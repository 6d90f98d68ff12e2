using Microsoft.Extensions.Configuration;
using Rmq.Samples.AppHost;

// dotnet run --project samples/Rmq.Samples.AppHost
// Redis, two replicas of samples/Rmq.Samples.Silo in one Orleans cluster (Redis clustering), and samples/Rmq.Samples.Api.
var builder = DistributedApplication.CreateBuilder(args);

// Redis: by default the local redis-server (an executable resource: no container runtime needed); with
// --UseRedisContainer true, Aspire's Redis container instead (Docker or Podman).
IResourceBuilder<IResourceWithConnectionString> redis = builder.Configuration.GetValue("UseRedisContainer", false)
    ? builder.AddRedis("redis")
    : builder.AddRedisServer("redis");

// The Orleans cluster: membership in the same Redis; cluster and service id "rmq", the rmq tool's defaults.
var orleans = builder.AddOrleans("cluster")
    .WithClusterId("rmq")
    .WithServiceId("rmq")
    .WithClustering(redis);

// Two silos consuming the queue "orders"; Aspire gives each replica its own silo and gateway port.
builder.AddProject<Projects.Rmq_Samples_Silo>("silo")
    .WithReference(orleans)
    .WithEnvironment("Rmq__RedisConnectionString", redis.Resource.ConnectionStringExpression)
    .WaitFor(redis)
    .WithReplicas(2);

// The API publishes straight to Redis (RmqPublisher), on a port Aspire allocates.
var api = builder.AddProject<Projects.Rmq_Samples_Api>("api")
    .WithHttpEndpoint(name: "http")
    .WithEnvironment("Rmq__RedisConnectionString", redis.Resource.ConnectionStringExpression)
    .WaitFor(redis);
// Urls (the sample's appsettings.json names 127.0.0.1:5080) follows the endpoint Aspire allocated.
api.WithEnvironment("Urls", ReferenceExpression.Create($"http://127.0.0.1:{api.GetEndpoint("http").Property(EndpointProperty.TargetPort)}"));

builder.Build().Run();
