namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A private redis-server, one real silo process (localhost clustering, cleaner only on demand) and a
/// client connected to it.
/// </summary>
public sealed class SingleSiloFixture : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(KeyDialect.Classic);
    public SiloProcess Silo { get; private set; } = null!;
    public RmqClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Multiplexer = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint);
        // The cleaner runs only when asked ('rmq clean'): tests that show dead connections must see them stay.
        Silo = SiloProcess.Start("single", Redis.Endpoint, "--Rmq:CleanerEnabled", "false");
        await Silo.WaitHealthyAsync();
        Client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Localhost;
            o.GatewayPort = Silo.GatewayPort;
        });
    }

    public async Task DisposeAsync()
    {
        // Also called after a failed InitializeAsync: dispose what was started, in reverse order.
        if (Client is not null) await Client.DisposeAsync();
        if (Silo is not null) await Silo.DisposeAsync();
        if (Multiplexer is not null) await Multiplexer.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
    }

    /// <summary>A queue name no other test uses.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>Total unacked of a queue over every registered connection, read from Redis directly.</summary>
    public async Task<long> UnackedAsync(string queue)
    {
        long total = 0;
        foreach (var connection in await Db.SetMembersAsync(RedisKeys.Connections))
            total += await Db.ListLengthAsync(Keys.Unacked(connection!, queue));
        return total;
    }
}

[CollectionDefinition(Name)]
public sealed class SingleSiloCollection : ICollectionFixture<SingleSiloFixture>
{
    public const string Name = "single silo process";
}
