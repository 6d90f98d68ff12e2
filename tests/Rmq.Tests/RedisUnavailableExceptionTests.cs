using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Rmq.Hosting;

namespace Rmq.Tests;

/// <summary>
/// A timeout is not a connection failure: the command may have run, and the message must say so.
/// The StackExchange.Redis exceptions here are real instances, built or provoked against redis-server.
/// </summary>
public sealed class RedisUnavailableExceptionTests
{
    private static RedisConnection Connection(string connectionString) =>
        new(Options.Create(new RmqOptions { RedisConnectionString = connectionString }), NullLogger<RedisConnection>.Instance);

    [Fact]
    public void Unavailable_AfterATimeout_SaysTheCommandMayHaveRun()
    {
        var redis = Connection("127.0.0.1:6390");
        var timeout = new RedisTimeoutException(CommandFlags.None,
            "Timeout awaiting response (outbound=0KiB, inbound=0KiB, 5012ms elapsed, timeout is 5000ms), command=LPUSH, next: LPUSH rmq::queue::[q]::ready, inst: 0, qu: 0, qs: 1",
            CommandStatus.Sent);
        var e = redis.Unavailable("LPUSH", timeout);
        Assert.True(e.TimedOut);
        // Without StackExchange.Redis's diagnostic dump, which starts at ", next: ".
        Assert.StartsWith("Redis at 127.0.0.1:6390 did not answer in time (LPUSH: Timeout awaiting response " +
            "(outbound=0KiB, inbound=0KiB, 5012ms elapsed, timeout is 5000ms), command=LPUSH); the command may or may not have run. ", e.Message);
        Assert.DoesNotContain("not reachable", e.Message);
        Assert.Equal("127.0.0.1:6390", e.Endpoint);

        var plain = redis.Unavailable("PING", new TimeoutException("The operation has timed out."));
        Assert.True(plain.TimedOut);
        Assert.StartsWith("Redis at 127.0.0.1:6390 did not answer in time (PING: The operation has timed out.); the command may or may not have run.", plain.Message);
    }

    [Fact]
    public void Unavailable_AfterAConnectionFailure_KeepsTheConnectionWording()
    {
        var redis = Connection("127.0.0.1:6390");
        var failure = new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None,
            "No connection is active/available to service this operation: LPUSH rmq::queue::[q]::ready; IOCP: (Busy=0)", null, CommandStatus.WaitingToBeSent);
        var e = redis.Unavailable("LPUSH", failure);
        Assert.False(e.TimedOut);
        Assert.Equal("Redis at 127.0.0.1:6390 is not reachable (LPUSH failed: No connection is active/available to service this operation: LPUSH rmq::queue::[q]::ready). " +
            "Start redis-server there, or point Rmq at a reachable Redis (Rmq:RedisConnectionString).", e.Message);
        // The constructor without the new parameter still means a connection failure.
        Assert.False(new RedisUnavailableException("h:1", "connect", failure).TimedOut);
    }

    [Fact]
    public void TimedOut_CrossesOrleansSerialization()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        foreach (var timedOut in (bool[])[true, false])
        {
            var sent = new RedisUnavailableException("h:1", "LPUSH", new TimeoutException("late"), timedOut);
            var received = serializer.Deserialize<RedisUnavailableException>(serializer.SerializeToArray(sent))!;
            Assert.Equal(timedOut, received.TimedOut);
            Assert.Equal(sent.Message, received.Message);
            Assert.Equal("h:1", received.Endpoint);
        }
    }

    [Fact]
    public async Task ARealTimeout_IsReportedAsTimedOut()
    {
        await using var server = await RedisServer.StartAsync();
        await using var side = await ConnectionMultiplexer.ConnectAsync($"{server.Endpoint},allowAdmin=true");
        await using var redis = Connection($"{server.Endpoint},asyncTimeout=200,syncTimeout=200");
        var store = new RedisQueueStore(redis, Options.Create(new RmqOptions()));
        await store.PublishAsync("warm-up", "x", listQueue: false);

        // Redis holds every write until the pause ends: the LPUSH is sent and gets no answer in time.
        await side.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE");
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => store.PublishAsync("paused", "late", listQueue: false));
        await side.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");

        Assert.True(e.TimedOut);
        Assert.StartsWith($"Redis at {server.Endpoint} did not answer in time (LPUSH: Timeout ", e.Message);
        Assert.Contains("the command may or may not have run", e.Message);
        Assert.DoesNotContain("IOCP", e.Message);
    }
}
