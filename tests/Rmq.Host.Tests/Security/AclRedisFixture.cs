namespace Rmq.Host.Tests.Security;

/// <summary>
/// A redis-server whose default user is off, an <c>admin</c> user for the tests, and the restricted
/// <c>rmq</c> user (<see cref="RmqAclUser"/>); one silo runs as <c>rmq</c> with Redis clustering and
/// debug-level Rmq logging (Orleans and ASP.NET at Information), so every line it writes can be searched.
/// </summary>
public sealed class AclRedisFixture : IAsyncLifetime
{
    public const string User = "rmq";
    /// <summary>The rmq user's password: a string that appears nowhere else, so a search for it finds only leaks.</summary>
    public const string Password = "Pw-7c1f0e9a-secret";
    /// <summary>A wrong password: must not appear either.</summary>
    public const string WrongPassword = "Wrong-3b8d52e4-secret";
    private const string AdminPassword = "admin-only-for-tests";

    public RedisServer Redis { get; private set; } = null!;
    public ConnectionMultiplexer Admin { get; private set; } = null!;
    public IDatabase Db => Admin.GetDatabase();
    public SiloProcess Silo { get; private set; } = null!;
    public string ClusterId { get; } = SingleSiloFixture.UniqueName("acl");

    /// <summary>The silo's Rmq:RedisConnectionString: host:port, user= and password=.</summary>
    public string ConnectionString => $"{Redis.Endpoint},user={User},password={Password}";

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        await using (var bootstrap = await ConnectionMultiplexer.ConnectAsync(Redis.Endpoint))
        {
            var db = bootstrap.GetDatabase();
            await db.ExecuteAsync("ACL", "SETUSER", "admin", "on", ">" + AdminPassword, "~*", "&*", "+@all");
            await RmqAclUser.CreateAsync(db, User, Password);
            // With the default user open, a refused AUTH would quietly go on as default: nothing would prove rmq's rules.
            await db.ExecuteAsync("ACL", "SETUSER", "default", "off");
        }
        Admin = await ConnectionMultiplexer.ConnectAsync($"{Redis.Endpoint},user=admin,password={AdminPassword}");
        await Db.ExecuteAsync("ACL", "LOG", "RESET");
        Silo = SiloProcess.Start("acl", ConnectionString,
            "--Silo:Clustering", "Redis", "--Silo:ClusterId", ClusterId,
            "--Rmq:CleanerEnabled", "false",
            "--Logging:LogLevel:Default", "Information", "--Logging:LogLevel:Rmq", "Debug");
        await Silo.WaitHealthyAsync();
    }

    /// <summary>What Redis refused the rmq user, as "reason context object" lines (ACL LOG).</summary>
    public async Task<IReadOnlyList<string>> DenialsAsync()
    {
        var entries = (RedisResult[])(await Db.ExecuteAsync("ACL", "LOG"))!;
        var denials = new List<string>();
        foreach (var entry in entries)
        {
            var fields = entry.ToDictionary();
            if ((string?)fields["username"] != User) continue;
            denials.Add($"{fields["reason"]} {fields["context"]} {fields["object"]} (count {fields["count"]})");
        }
        return denials;
    }

    public async Task DisposeAsync()
    {
        if (Silo is not null) await Silo.DisposeAsync();
        if (Admin is not null) await Admin.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AclRedisCollection : ICollectionFixture<AclRedisFixture>
{
    public const string Name = "silo as a restricted Redis ACL user";
}
