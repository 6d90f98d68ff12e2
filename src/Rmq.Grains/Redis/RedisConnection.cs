using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rmq.Hosting;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// The silo's one multiplexed Redis connection. Commands fail fast while Redis is unreachable (no
/// backlog), so callers get a <see cref="RedisUnavailableException"/> instead of a long hang.
/// </summary>
public sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger<RedisConnection> _logger;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;
    private IDatabase? _database;

    /// <summary>Creates the provider; nothing connects until the first command.</summary>
    public RedisConnection(IOptions<RmqOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        _configuration = RedisConfiguration.Create(options.Value.RedisConnectionString, options.Value.RedisTlsCaCertificate);
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        Endpoints = RedisConfiguration.Endpoints(_configuration);
    }

    /// <summary>The configured endpoints, for error messages.</summary>
    public string Endpoints { get; }

    /// <summary>The database, connecting on first use.</summary>
    public ValueTask<IDatabase> GetDatabaseAsync() =>
        _database is { } db ? ValueTask.FromResult(db) : new ValueTask<IDatabase>(ConnectAsync());

    private async Task<IDatabase> ConnectAsync()
    {
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_database is { } db) return db;
            // With AbortOnConnectFail off this returns after ConnectTimeout even when nothing answers,
            // and keeps reconnecting in the background: a Redis restart heals without our help.
            _multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
            LogConnected(Endpoints, _multiplexer.IsConnected);
            await ProbeScriptFlagsAsync().ConfigureAwait(false);
            return _database = _multiplexer.GetDatabase();
        }
        catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException)
        {
            throw new RedisUnavailableException(Endpoints, "connect", e);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>The database number commands go to (from the connection string's defaultDatabase).</summary>
    public int Database => _configuration.DefaultDatabase ?? 0;

    /// <summary>The multiplexer's pub/sub interface, connecting on first use.</summary>
    public async Task<ISubscriber> GetSubscriberAsync()
    {
        await GetDatabaseAsync().ConfigureAwait(false);
        return _multiplexer!.GetSubscriber();
    }

    /// <summary>Every connected primary (one for a single server; each master of a Redis Cluster), connecting on first use.</summary>
    public async Task<IServer[]> GetPrimariesAsync()
    {
        await GetDatabaseAsync().ConfigureAwait(false);
        return _multiplexer!.GetServers().Where(s => !s.IsReplica && s.IsConnected).ToArray();
    }

    /// <summary>
    /// Wraps a connection-level failure in an exception that names the endpoint, and says whether it
    /// was a timeout (the command may have run).
    /// </summary>
    public RedisUnavailableException Unavailable(string operation, Exception inner) =>
        // RedisTimeoutException is a TimeoutException; any TimeoutException means no answer came in time.
        new(Endpoints, operation, inner, timedOut: inner is TimeoutException);

    /// <summary>True for the exceptions StackExchange.Redis raises when Redis cannot be reached.</summary>
    public static bool IsUnavailable(Exception e) => PublishCommands.IsUnavailable(e);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null) await _multiplexer.DisposeAsync().ConfigureAwait(false);
        _connectGate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis multiplexer created for {Endpoints} (connected: {Connected})")]
    private partial void LogConnected(string endpoints, bool connected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Endpoints} parses script flags: {Supported} (without them Rmq's scripts are sent without '#!lua flags=allow-oom')")]
    private partial void LogScriptFlags(string endpoints, bool supported);
}
