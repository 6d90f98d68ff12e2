using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Rmq.Host.Tests.Consumers;
using Rmq.Tests.Infrastructure;

namespace Rmq.Host.Tests;

/// <summary>The client library's helpers end to end: trace context through a queue, JSON with headers, header helpers, setup checks.</summary>
public sealed class ClientLibraryTests : IAsyncLifetime
{
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = s => s.Name is RmqTracing.ActivitySourceName or "Rmq.Host.Tests.Consumer" or "Rmq.Host.Tests",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };
    private static readonly ActivitySource TestSource = new("Rmq.Host.Tests");
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private TestCluster _cluster = null!;

    private IDatabase Db => _multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        ActivitySource.AddActivityListener(_listener);
        _redis = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        _cluster = await RmqTestCluster.DeployAsync(1, new Dictionary<string, string> { ["RedisConnectionString"] = _redis.Endpoint });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(_cluster);
        await _multiplexer.DisposeAsync();
        await _redis.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task PublishTraced_CarriesTheTraceInTheRmqHeader_AndTheConsumerContinuesIt()
    {
        var queue = _cluster.Client.GetGrain<IQueueGrain>("traced");
        Activity? producer = null;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RmqTracing.ActivitySourceName,
            ActivityStopped = a => producer = a,
        };
        ActivitySource.AddActivityListener(listener);

        using (var request = TestSource.StartActivity("handle request"))
        {
            Assert.NotNull(request);
            await queue.AsProducer().PublishTraced(RmqMessage.Text("traced payload").WithHeader("tenant", "acme"));
            Assert.NotNull(producer);
            Assert.Equal(request.TraceId, producer.TraceId);
            Assert.Equal(request.SpanId, producer.ParentSpanId);
            Assert.Equal(ActivityKind.Producer, producer.Kind);
        }

        // On the wire: Go rmq's header with a W3C traceparent naming the producer span.
        var raw = Encoding.UTF8.GetString((byte[])(await Db.ListGetByIndexAsync(_keys.Ready("traced"), 0))!);
        Assert.Contains($"\"traceparent\":[\"00-{producer.TraceId}-{producer.SpanId}-01\"]", raw);
        Assert.Contains("\"tenant\":[\"acme\"]", raw);

        var seen = await ConsumeAsync(queue, "traced payload");
        Assert.Equal(producer.TraceId, seen.TraceId);
        Assert.Equal(producer.SpanId, seen.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, seen.Kind);
        Assert.Equal("acme", seen.Tenant);
    }

    [Fact]
    public async Task ADeliveryWithoutTraceparent_StartsANewTrace()
    {
        var queue = _cluster.Client.GetGrain<IQueueGrain>("untraced");
        await queue.Publish("plain payload");
        var seen = await ConsumeAsync(queue, "plain payload");
        Assert.Equal(default, seen.ParentSpanId);
        Assert.NotEqual(default, seen.TraceId);
    }

    [Fact]
    public async Task PublishJson_WithHeadersAndTraceContext_IsReadBackByGetJson()
    {
        var queue = _cluster.Client.GetGrain<IQueueGrain>("orders");
        using var request = TestSource.StartActivity("checkout");
        Assert.NotNull(request);
        await queue.Publish(RmqMessage.Json(new OrderPlaced("o-17", 12.5m)).WithHeader("tenant", "beta").WithTraceContext());
        var seen = await ConsumeAsync(queue, "o-17");
        Assert.Equal(request.TraceId, seen.TraceId);
        Assert.Equal(request.SpanId, seen.ParentSpanId);
        Assert.Equal("beta", seen.Tenant);
    }

    [Fact]
    public void WithTraceContext_CopiesTheHeaders_AndAddsTraceparentAndTracestateOnlyWhenThereIsAnActivity()
    {
        var headers = RmqHeaders.Create(("a", "1"));
        Assert.Equal(["a"], RmqTracing.WithTraceContext(headers, activity: null).Keys);

        using var activity = new Activity("w3c").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "vendor=x";
        var traced = RmqTracing.WithTraceContext(headers, activity);
        Assert.Equal([activity.Id!], traced[RmqTracing.TraceParentHeader]);
        Assert.Equal(["vendor=x"], traced[RmqTracing.TraceStateHeader]);
        Assert.False(headers.ContainsKey(RmqTracing.TraceParentHeader), "the caller's dictionary is not changed");

        using var hierarchical = new Activity("old").SetIdFormat(ActivityIdFormat.Hierarchical).Start();
        Assert.False(RmqTracing.WithTraceContext(null, hierarchical).ContainsKey(RmqTracing.TraceParentHeader));
    }

    [Fact]
    public void RmqHeaders_BuildAndReadHeaders()
    {
        var headers = RmqHeaders.Create(("k", "v1")).AddHeader("k", "v2").AddHeader("other", "x", "y");
        Assert.Equal(["v1", "v2"], headers["k"]);
        Assert.Equal(["x", "y"], headers["other"]);
        Assert.Throws<ArgumentException>(() => RmqHeaders.Create(("k", "1"), ("k", "2")));
        Assert.Throws<ArgumentException>(() => RmqHeaders.Create(("", "1")));

        var delivery = new Delivery("q", "p"u8.ToArray(), headers, 1);
        Assert.Equal(["v1", "v2"], delivery.GetHeaderValues("k"));
        Assert.Empty(delivery.GetHeaderValues("missing"));
        Assert.True(delivery.TryGetHeader("other", out var first));
        Assert.Equal("x", first);
        Assert.False(delivery.TryGetHeader("missing", out _));
    }

    [Theory]
    [InlineData("GatewayPort is 0", RmqClientClustering.Localhost, 0, null)]
    [InlineData("RedisConnectionString is empty", RmqClientClustering.Redis, 30000, null)]
    public void AddRmqClient_RejectsOptionsThatCannotWork_NamingTheOption(string message, RmqClientClustering clustering, int port, string? redis)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var error = Assert.Throws<ArgumentException>(() =>
        {
            builder.UseOrleansClient(c => c.AddRmqClient(o =>
            {
                o.Clustering = clustering;
                o.GatewayPort = port;
                o.RedisConnectionString = redis;
            }));
        });
        Assert.Contains(message, error.Message);
    }

    private async Task<ConsumedTrace> ConsumeAsync(IQueueGrain queue, string key)
    {
        await queue.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(20));
        await queue.AddConsumer("trace", _cluster.Client.GetGrain<ITraceRecordingConsumerGrain>(queue.GetPrimaryKeyString()));
        await Eventually.True(() => Task.FromResult(TraceRecordingConsumerGrain.Seen.ContainsKey(key)), $"'{key}' consumed");
        await queue.StopConsuming();
        return TraceRecordingConsumerGrain.Seen[key];
    }
}
