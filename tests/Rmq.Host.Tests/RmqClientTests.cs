namespace Rmq.Host.Tests;

/// <summary><c>RmqClient</c>, the standalone client of the client library, against a real silo process.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class RmqClientTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task ConnectsToTheSilo_AndPublishesToRedis()
    {
        var queue = SingleSiloFixture.UniqueName("standalone");
        await using var rmq = await RmqClient.ConnectAsync(o => o.GatewayPort = fixture.Silo.GatewayPort);

        await rmq.Queue(queue).Publish("from a standalone client");

        Assert.Equal("from a standalone client", (string?)await fixture.Db.ListGetByIndexAsync(fixture.Keys.Ready(queue), 0));
    }

    [Fact]
    public async Task WithNoSiloThere_ThrowsSiloUnreachable_SayingWhereItLookedAndWhatToDo()
    {
        var port = FreePorts.Next();

        var error = await Assert.ThrowsAsync<SiloUnreachableException>(() => RmqClient.ConnectAsync(o => o.GatewayPort = port, TimeSpan.FromSeconds(1)));

        Assert.Contains($"no Rmq silo answers at 127.0.0.1:{port} (GatewayPort)", error.Message);
        Assert.Contains("Start one (the Rmq.Silo host), or point RmqClientOptions at a running one", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task OptionsThatCannotWork_AreRejectedBeforeConnecting()
    {
        var options = await Assert.ThrowsAsync<ArgumentException>(() => RmqClient.ConnectAsync(o => o.GatewayPort = 0));
        Assert.Contains("GatewayPort is 0", options.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RmqClient.ConnectAsync(o => o.GatewayPort = 30000, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task AQueueNameWithAnUnpairedSurrogate_IsRefusedBeforeItReachesTheSilo()
    {
        await using var rmq = await RmqClient.ConnectAsync(o => o.GatewayPort = fixture.Silo.GatewayPort);

        // Orleans would carry "a\uD800b" as "a\uFFFDb": another, valid queue. The client refuses it first.
        var error = Assert.Throws<ArgumentException>(() => rmq.Queue("a\uD800b"));
        Assert.Contains("unpaired surrogate", error.Message);
        Assert.Equal("name", error.ParamName);
    }
}
