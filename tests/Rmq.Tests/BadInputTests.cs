using System.Text;
using System.Text.RegularExpressions;
using Rmq.Hosting;

namespace Rmq.Tests;

/// <summary>Every invalid argument gets an ArgumentException-family error naming the rule, and Redis stays untouched.</summary>
[Collection(ClassicCollection.Name)]
public sealed class BadInputTests(ClassicClusterFixture fixture) : QueueTestBase(fixture)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    private async Task<string> RedisSnapshot()
    {
        var keys = new List<string>();
        await foreach (var key in Fixture.Multiplexer.KeysAsync("*")) keys.Add(key!);
        keys.Sort(StringComparer.Ordinal);
        var parts = new List<string>();
        foreach (var key in keys.Where(k => !k.EndsWith("::heartbeat", StringComparison.Ordinal)))
            parts.Add($"{key}={Convert.ToHexString(await Db.KeyDumpAsync(key) ?? [])}");
        return string.Join("\n", parts);
    }

    /// <summary>Runs <paramref name="call"/>, expects <typeparamref name="T"/> whose message contains <paramref name="rule"/>, and checks Redis did not change.</summary>
    private async Task Rejects<T>(Func<Task> call, string rule) where T : ArgumentException
    {
        var before = await RedisSnapshot();
        var e = await Assert.ThrowsAnyAsync<T>(call);
        Assert.Contains(rule, e.Message);
        Assert.Equal(before, await RedisSnapshot());
    }

    [Theory]
    [InlineData("a[b", "must not contain")]
    [InlineData("a]b", "must not contain")]
    [InlineData("{ab", "must not contain")]
    [InlineData("ab}", "must not contain")]
    [InlineData("a\nb", "must not contain control characters")]
    [InlineData("a\nb", "'a\\u000Ab' has U+000A at position 1; remove it or use a printable character")]
    [InlineData("a\0b", "has U+0000 at position 1")]
    [InlineData("ab\u007F", "has U+007F at position 2")]
    [InlineData("\u0085ab", "has U+0085 at position 0")]
    [InlineData("\u00e9\t", "'\u00e9\\u0009' has U+0009 at position 1")]
    public async Task InvalidQueueNames_AreRejected(string name, string rule)
    {
        var queue = Queue(name);
        await Rejects<ArgumentException>(() => queue.Publish("x"), rule);
        await Rejects<ArgumentException>(() => queue.StartConsuming(1, Poll), rule);
        await Rejects<ArgumentException>(() => queue.GetStats(), rule);
        await Rejects<ArgumentException>(() => queue.PurgeReady(), rule);
    }

    [Theory]
    [InlineData("a\\uD800b", 1, "D800")]
    [InlineData("a\\uDC00b", 1, "DC00")]
    [InlineData("\\uD800", 0, "D800")]
    [InlineData("ab\\uD83D", 2, "D83D")]
    [InlineData("\\uDE00\\uD83D", 0, "DE00")] // a pair in the wrong order
    [InlineData("\\uD83D\\uDE00\\uD83D\\uD83D\\uDE00", 2, "D83D")]
    public void UnpairedSurrogates_AreRejectedByTheNameRule(string escaped, int position, string codePoint)
    {
        // Attribute strings and Orleans grain keys are stored as UTF-8, which turns an unpaired
        // surrogate into U+FFFD before a grain could see it: the rule is checked here directly.
        var name = Regex.Unescape(escaped);
        var e = Assert.Throws<ArgumentException>(() => QueueNames.Validate(name, "queueName"));
        Assert.Contains("must not contain an unpaired surrogate", e.Message);
        Assert.Contains($"has U+{codePoint} at position {position}; remove it or complete the surrogate pair", e.Message);
        Assert.Contains(@$"\u{codePoint}", e.Message);
        Assert.Equal("queueName", e.ParamName);
    }

    [Fact]
    public async Task NonAsciiQueueNames_AreAccepted()
    {
        var name = RmqClusterFixture.UniqueName("queue-ü-日本-😀");
        Assert.Null(QueueNames.Problem(name));
        Assert.Null(QueueNames.Problem("\U0001F600"));
        var queue = Queue(name);
        await queue.Publish("x");
        Assert.Equal(1, await Ready(name));
        Assert.True(await Db.SetContainsAsync(RedisKeys.Queues, name));
        Assert.Equal(["x"], await queue.Drain(1));
        await queue.Destroy();
    }

    [Fact]
    public void EmptyQueueName_IsRejectedBeforeAnyCall()
    {
        // Orleans refuses an empty grain key on the caller's side; our own rule says the same.
        Assert.Throws<ArgumentException>(() => Queue(""));
        var e = Assert.Throws<ArgumentException>(() => QueueNames.Validate("", "queueName"));
        Assert.Contains("must not be empty", e.Message);
        Assert.Equal("queueName", e.ParamName);
    }

    [Fact]
    public async Task OverlongQueueName_IsRejected()
    {
        await Rejects<ArgumentException>(() => Queue(new string('q', QueueNames.MaxLength + 1)).Publish("x"),
            $"at most {QueueNames.MaxLength} characters");
        // The longest valid name works.
        var longest = new string('q', QueueNames.MaxLength);
        await Queue(longest).Publish("x");
        Assert.Equal(1, await Ready(longest));
        await Queue(longest).Destroy();
    }

    [Fact]
    public async Task NullPayloads_AreRejected()
    {
        var queue = Queue(RmqClusterFixture.UniqueName("bad-payload"));
        await Rejects<ArgumentNullException>(() => queue.Publish((string)null!), "payload");
        await Rejects<ArgumentNullException>(() => queue.Publish((RmqMessage)null!), "message is null");
        await Rejects<ArgumentNullException>(() => queue.PublishBytes(null!), "payload");
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text(null!).WithHeaders(new Dictionary<string, string[]>())), "payload");
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text("x").WithHeaders(null!)), "headers");
        await Rejects<ArgumentNullException>(() => queue.PublishBatch((IReadOnlyList<string>)null!), "payloads");
        await Rejects<ArgumentNullException>(() => queue.PublishBatch((IReadOnlyList<RmqMessage>)null!), "messages");
        await Rejects<ArgumentException>(() => queue.PublishBatch(["a", null!, "c"]), "payloads[1] is null");
        await Rejects<ArgumentNullException>(() => queue.Remove(null!, 1, false), "payload");
    }

    [Fact]
    public async Task OversizedPayloads_AreRejected_AndTheLimitDefaultsTo64MiB()
    {
        // Below Orleans' 100 MiB message limit, so a delivery always reaches a consumer on another silo.
        Assert.Equal(64L * 1024 * 1024, new RmqOptions().MaxPayloadBytes);
        var name = RmqClusterFixture.UniqueName("big");
        var queue = Queue(name);
        var limit = (int)RmqClusterFixture.MaxPayloadBytes;
        await Rejects<ArgumentException>(() => queue.PublishBytes(new byte[limit + 1]), $"the limit is {limit} bytes");
        await Rejects<ArgumentException>(() => queue.Publish(new string('x', limit + 1)), "Rmq:MaxPayloadBytes");
        await Rejects<ArgumentException>(() => queue.PublishBatch(["ok", new string('x', limit + 1)]), "payloads[1]");
        await queue.PublishBytes(new byte[limit]);
        Assert.Equal(1, await Ready(name));
        await queue.Destroy();
    }

    [Fact]
    public async Task PublishUniqueArguments_AreChecked_OnTheGrain()
    {
        var name = RmqClusterFixture.UniqueName("bad-dedup");
        var queue = Queue(name);
        var window = TimeSpan.FromMinutes(1);
        var limit = (int)RmqClusterFixture.MaxPayloadBytes;
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text("x").Unique(null!, window)), "dedupKey");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Text("x").Unique("", window)), "dedupKey must not be empty");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Bytes([1]).Unique(new string('k', Deduplication.MaxKeyLength + 1), window)), "dedupKey must be at most 1000 characters, but it has 1001");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.Zero)), "window must be at least 1 ms and at most 30 days");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.FromTicks(5000))), "window must be at least 1 ms");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.FromDays(30) + TimeSpan.FromMilliseconds(1))), "at most 30 days");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Publish(RmqMessage.Text("x").Unique("k", TimeSpan.MaxValue)), "at most 30 days");
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Text(null!).Unique("k", window)), "payload");
        await Rejects<ArgumentNullException>(() => queue.Publish(RmqMessage.Bytes(null!).Unique("k", window)), "payload");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Bytes(new byte[limit + 1]).Unique("k", window)), $"the limit is {limit} bytes");
        await Rejects<ArgumentException>(() => queue.Publish(RmqMessage.Text(new string('x', limit + 1)).Unique("k", window)), "Rmq:MaxPayloadBytes");
        await Rejects<ArgumentException>(() => Queue("bad[name").Publish(RmqMessage.Text("x").Unique("k", window)), "Invalid queue name");
    }

    [Fact]
    public async Task ConsumingArguments_AreChecked()
    {
        var queue = Queue(RmqClusterFixture.UniqueName("bad-args"));
        await Rejects<ArgumentOutOfRangeException>(() => queue.StartConsuming(0, Poll), "prefetchLimit must be at least 1");
        await Rejects<ArgumentOutOfRangeException>(() => queue.StartConsuming(-5, Poll), "prefetchLimit must be at least 1");
        await Rejects<ArgumentOutOfRangeException>(() => queue.StartConsuming(1, TimeSpan.Zero), "pollInterval must be positive");
        await Rejects<ArgumentOutOfRangeException>(() => queue.StartConsuming(1, TimeSpan.FromSeconds(-1)), "pollInterval must be positive");
        // Absurd intervals are mistakes, and used to overflow the engine's date arithmetic.
        await Rejects<ArgumentOutOfRangeException>(() => queue.StartConsuming(1, TimeSpan.MaxValue), "at most 01:00:00");

        var batch = await BatchConsumerAsync(ConsumerBehaviour.AutoAck);
        await Rejects<ArgumentOutOfRangeException>(() => queue.AddBatchConsumer("t", batch, 0, TimeSpan.FromSeconds(1)), "batchSize must be at least 1");
        await Rejects<ArgumentOutOfRangeException>(() => queue.AddBatchConsumer("t", batch, 1, TimeSpan.Zero), "batchTimeout must be positive");
        await Rejects<ArgumentOutOfRangeException>(() => queue.AddBatchConsumer("t", batch, 1, TimeSpan.MaxValue), "at most 01:00:00");
        await Rejects<ArgumentNullException>(() => queue.AddConsumer("t", null!), "consumer");
        await Rejects<ArgumentNullException>(() => queue.AddConsumer(null!, Fixture.Grains.GetGrain<ITestConsumerGrain>("x")), "tag");
        await Rejects<ArgumentOutOfRangeException>(() => queue.ReturnRejected(-1), "max must not be negative");
        await Rejects<ArgumentOutOfRangeException>(() => queue.ReturnUnacked(-1), "max must not be negative");
        await Rejects<ArgumentOutOfRangeException>(() => queue.Drain(-1), "count must not be negative");
    }

    [Fact]
    public async Task AddingAConsumerBeforeStartConsuming_SaysWhatToDo()
    {
        var queue = Queue(RmqClusterFixture.UniqueName("not-started"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await queue.AddConsumer("t", await ConsumerAsync(ConsumerBehaviour.AutoAck)));
        Assert.Contains("call StartConsuming before adding consumers", e.Message);
    }

    /// <summary>Elements Go rmq can write: headers Go decodes leniently, and one whose header it rejects.</summary>
    private static (byte[] LoneSurrogate, byte[] InvalidUtf8Key, byte[] Faulty) OddHeaderElements()
    {
        byte[] Element(byte[] json, string payload) => [.. HeaderCodec.Signature, .. json, 0x0A, .. Encoding.UTF8.GetBytes(payload)];
        return (Element("""{"a":["\ud800"]}"""u8.ToArray(), "lone-surrogate"),
            Element([.. "{\"k"u8.ToArray(), 0xFF, .. "\":[\"v\"]}"u8.ToArray()], "invalid-utf8-key"),
            Element("""{"a":"not a list"}"""u8.ToArray(), "faulty"));
    }

    [Fact]
    public async Task Drain_ReturnsEveryElement_WhenHeadersHoldLoneSurrogatesOrInvalidUtf8()
    {
        var name = RmqClusterFixture.UniqueName("odd-drain");
        var (lone, invalidKey, faulty) = OddHeaderElements();
        foreach (var element in (byte[][])[lone, "plain"u8.ToArray(), invalidKey, faulty])
            await Db.ListLeftPushAsync(Keys.Ready(name), element);
        // An element whose header cannot be decoded comes back raw, as text.
        Assert.Equal(["lone-surrogate", "plain", "invalid-utf8-key", Encoding.UTF8.GetString(faulty)], await Queue(name).Drain(10));
        Assert.Equal(0, await Ready(name));
    }

    [Fact]
    public async Task Consuming_DeliversHeadersWithLoneSurrogatesOrInvalidUtf8_AndRejectsFaultyOnes()
    {
        var name = RmqClusterFixture.UniqueName("odd-consume");
        var (lone, invalidKey, faulty) = OddHeaderElements();
        foreach (var element in (byte[][])[lone, faulty, invalidKey])
            await Db.ListLeftPushAsync(Keys.Ready(name), element);
        var queue = Queue(name);
        var consumer = await ConsumerAsync(ConsumerBehaviour.AutoAck);
        await queue.StartConsuming(10, Poll);
        await queue.AddConsumer("odd", consumer);
        await EventuallyCounts(name, 0, 0, 1);
        // The consuming loop survived them: a later publish is delivered too.
        await queue.Publish("after");
        await Eventually.Equal(3, async () => (await consumer.GetDeliveries()).Count, "deliveries");
        var deliveries = await consumer.GetDeliveries();
        Assert.Equal(["lone-surrogate", "invalid-utf8-key", "after"], deliveries.Select(d => d.Payload));
        Assert.Equal(["\uFFFD"], deliveries[0].Headers["a"]);
        Assert.Equal(["v"], deliveries[1].Headers["k\uFFFD"]);
        Assert.Equal([faulty], (await Db.ListRangeAsync(Keys.Rejected(name))).Select(v => (byte[])v!));
        await EventuallyCounts(name, 0, 0, 1);
        await queue.StopConsuming();
    }

    [Fact]
    public async Task PushQueue_MustBeValidAndNotTheQueueItself()
    {
        var name = RmqClusterFixture.UniqueName("self-push");
        var queue = Queue(name);
        await Rejects<ArgumentException>(() => queue.SetPushQueue(name), "cannot push to itself");
        await Rejects<ArgumentException>(() => queue.SetPushQueue(""), "must not be empty");
        await Rejects<ArgumentException>(() => queue.SetPushQueue("x{y}"), "must not contain");
    }

    [Fact]
    public async Task PushQueue_ThatWouldMakeACycle_IsRejected()
    {
        var a = RmqClusterFixture.UniqueName("cycle-a");
        var b = RmqClusterFixture.UniqueName("cycle-b");
        var c = RmqClusterFixture.UniqueName("cycle-c");
        await Queue(a).SetPushQueue(b);
        await Queue(b).SetPushQueue(c);
        await Rejects<ArgumentException>(() => Queue(b).SetPushQueue(a), $"makes a cycle ({b} → {a} → {b})");
        await Rejects<ArgumentException>(() => Queue(c).SetPushQueue(a), $"makes a cycle ({c} → {a} → {b} → {c})");
        // A chain that does not come back is fine.
        var d = RmqClusterFixture.UniqueName("cycle-d");
        await Queue(c).SetPushQueue(d);
        Assert.Equal(d, (string?)await Db.HashGetAsync(Keys.ConsumingConfig(c), "push"));
    }
}

/// <summary>A silo pointed at a Redis that does not answer reports the endpoint and changes nothing.</summary>
public sealed class UnreachableRedisTests : IAsyncLifetime
{
    private readonly int _port = FreePorts.Next();
    private Orleans.TestingHost.TestCluster _cluster = null!;

    public async Task InitializeAsync() =>
        _cluster = await RmqTestCluster.DeployAsync(1, new Dictionary<string, string>
        {
            ["RedisConnectionString"] = $"127.0.0.1:{_port},connectTimeout=500",
            ["CleanerEnabled"] = "false",
        });

    public Task DisposeAsync() => RmqTestCluster.StopAsync(_cluster);

    [Fact]
    public async Task Publish_And_StartConsuming_FailWithTheEndpointInTheMessage()
    {
        var queue = _cluster.Client.GetGrain<IQueueGrain>("unreachable");
        var e = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.Publish("x"));
        Assert.Contains($"127.0.0.1:{_port}", e.Message);
        Assert.Contains("redis-server", e.Message);
        var again = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.StartConsuming(10, TimeSpan.FromSeconds(1)));
        Assert.Contains($"127.0.0.1:{_port}", again.Message);
        Assert.Null(await queue.GetConnectionName());
    }

}
