using Orleans.TestingHost;

namespace Rmq.Tests.Infrastructure;

/// <summary>
/// One silo connected to a private redis-server as the ACL user <see cref="User"/> (so a test can take a
/// permission away and give it back), with an 800 ms client timeout so a paused Redis times out quickly.
/// <see cref="Multiplexer"/> is the default user's admin connection the tests inject faults with.
/// </summary>
public sealed class ServerErrorFixture : IAsyncLifetime
{
    public const string User = "rmq";
    public const string Password = "secret";

    public RedisServer Redis { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Multiplexer { get; private set; } = null!;
    public IDatabase Db => Multiplexer.GetDatabase();
    public RedisKeys Keys { get; } = new(KeyDialect.Classic);
    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        // The user is in the server's configuration, so a restart keeps it: a silo reconnecting before a
        // test could create it again would fall back to the default user and hide a NOPERM.
        Redis = await RedisServer.StartAsync(false, "--user", User, "on", $">{Password}", "~*", "&*", "+@all");
        Multiplexer = await ConnectionMultiplexer.ConnectAsync($"{Redis.Endpoint},allowAdmin=true,asyncTimeout=10000");
        Cluster = await RmqTestCluster.DeployAsync(1, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = $"{Redis.Endpoint},user={User},password={Password},asyncTimeout=800,connectTimeout=1000",
            ["CleanerEnabled"] = "false",
        });
    }

    /// <summary>Gives <see cref="User"/> every permission again after a test took some away.</summary>
    public Task GrantAllAsync() => Db.ExecuteAsync("ACL", "SETUSER", User, "on", $">{Password}", "~*", "&*", "+@all");

    public async Task DisposeAsync()
    {
        await RmqTestCluster.StopAsync(Cluster);
        await Multiplexer.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
