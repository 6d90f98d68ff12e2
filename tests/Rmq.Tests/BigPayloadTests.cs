using System.Text;
using Orleans.TestingHost;
using Rmq.Publishing;
using Xunit.Abstractions;

namespace Rmq.Tests;

/// <summary>Two silos with Rmq's and Orleans' default size limits (64 MiB payloads, 100 MiB Orleans messages).</summary>
public sealed class DefaultLimitsClusterFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public RedisKeys Keys { get; } = new(KeyDialect.Classic);

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        Cluster = await RmqTestCluster.DeployAsync(2, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = Redis.Endpoint,
            ["CleanerEnabled"] = "false",
        });
    }

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>
/// 10 MB payloads, text and binary, with and without headers, through the queue grain and through
/// <see cref="RmqPublisher"/>, consumed byte for byte with the default limits: each crosses Orleans (client → silo
/// for the grain's publish, queue silo → consumer silo for the delivery) and Redis whole.
/// </summary>
public sealed class BigPayloadTests(DefaultLimitsClusterFixture fixture, ITestOutputHelper output) : IClassFixture<DefaultLimitsClusterFixture>
{
    private const int TenMegabytes = 10 * 1000 * 1000;

    private static string Text(char seed) =>
        // Multi-byte UTF-8 as well as ASCII, so a wrong length count or a re-encoding would show.
        string.Create(TenMegabytes, seed, (span, s) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = i % 50 == 49 ? 'é' : (char)(s + i % 26);
        });

    private static byte[] Binary(int seed)
    {
        var bytes = new byte[TenMegabytes];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0xFF; // a first byte as rmq's header signature starts, without the rest of it
        return bytes;
    }

    [Fact]
    public async Task TenMegabytePayloads_TextAndBinary_GrainAndDirectPublisher_AreConsumedByteForByte()
    {
        var name = RmqClusterFixture.UniqueName("big");
        var queue = fixture.Cluster.Client.GetGrain<IQueueGrain>(name);
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = fixture.Redis.Endpoint);
        var direct = publisher.Queue(name);
        var headers = new Dictionary<string, string[]> { ["kind"] = ["big"], ["traceparent"] = ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"] };

        var grainText = Text('a');
        var grainBinary = Binary(1);
        var directText = Text('k');
        var directBinary = Binary(2);
        var expected = new List<(byte[] Bytes, bool WithHeaders)>
        {
            (Encoding.UTF8.GetBytes(grainText), false), (grainBinary, false), (grainBinary, true),
            (Encoding.UTF8.GetBytes(directText), false), (directBinary, false), (directBinary, true),
        };
        Assert.All(expected, e => Assert.True(e.Bytes.Length >= TenMegabytes, $"{e.Bytes.Length} bytes"));

        await queue.Publish(grainText);
        await queue.PublishBytes(grainBinary);
        await queue.Publish(RmqMessage.Bytes(grainBinary).WithHeaders(headers));
        await direct.Publish(directText);
        await direct.PublishBytes(directBinary);
        await direct.Publish(RmqMessage.Bytes(directBinary).WithHeaders(headers));
        Assert.Equal(expected.Count, await fixture.Multiplexer.GetDatabase().ListLengthAsync(fixture.Keys.Ready(name)));

        await queue.StartConsuming(4, TimeSpan.FromMilliseconds(20));
        await queue.AddConsumer("big", fixture.Cluster.Client.GetGrain<IHashingConsumerGrain>(name + "-1"));
        await queue.AddConsumer("big", fixture.Cluster.Client.GetGrain<IHashingConsumerGrain>(name + "-2"));
        await Eventually.Equal(expected.Count, () => Task.FromResult(PayloadDigests.Of(name).Count), "big deliveries consumed", 120);

        var received = PayloadDigests.Of(name);
        foreach (var r in received) output.WriteLine($"{r.Length:N0} bytes, {r.Headers.Count} headers, sha256 {r.Sha256[..16]}…");
        Assert.Equal(
            expected.Select(e => (e.Bytes.Length, PayloadDigests.Of(e.Bytes), e.WithHeaders)).Order(),
            received.Select(r => (r.Length, r.Sha256, r.Headers.Count > 0)).Order());
        Assert.All(received.Where(r => r.Headers.Count > 0), r => Assert.Equal(["big"], r.Headers["kind"]));
        await Eventually.Equal(0L, () => fixture.Multiplexer.UnackedTotalAsync(fixture.Keys, name), "unacked empty");
        Assert.Equal(0, await fixture.Multiplexer.GetDatabase().ListLengthAsync(fixture.Keys.Ready(name)));
        await queue.StopConsuming();
    }
}
