using System.Net;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>The dashboard's JSON API against a real silo process and Redis: reads, actions and who may run them.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class DashboardApiTests(SingleSiloFixture fixture, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };
    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    private Uri Url(string pathAndQuery) => new(fixture.Silo.BaseUrl, pathAndQuery);

    private async Task<JsonElement> GetJsonAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(Url(pathAndQuery));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {pathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string pathAndQuery, object? body = null, HttpClient? client = null, Uri? baseUrl = null)
    {
        using var content = body is null ? null : JsonContent.Create(body);
        using var response = await (client ?? Http).PostAsync(new Uri(baseUrl ?? fixture.Silo.BaseUrl, pathAndQuery), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static List<string> Payloads(JsonElement page) =>
        page.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("payload").GetString()!).ToList();

    [Fact]
    public async Task Browse_PagesReadyNewestFirstAndOldestFirst_WithTheListLength()
    {
        var queue = SingleSiloFixture.UniqueName("dash-page");
        // One LPUSH each: m0 is the oldest (consumed first), m24 the newest.
        for (var i = 0; i < 25; i++) await Db.ListLeftPushAsync(Keys.Ready(queue), $"m{i}");

        var newest = await GetJsonAsync($"api/queue/ready?name={queue}&count=10");
        Assert.Equal(25, newest.GetProperty("total").GetInt64());
        Assert.Equal("newest", newest.GetProperty("order").GetString());
        Assert.Equal(Enumerable.Range(15, 10).Reverse().Select(i => $"m{i}"), Payloads(newest));
        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], Payloads(await GetJsonAsync($"api/queue/ready?name={queue}&count=10&offset=20")));
        Assert.Equal(["m0", "m1", "m2"], Payloads(await GetJsonAsync($"api/queue/ready?name={queue}&count=3&order=oldest")));
        Assert.Equal(["m23", "m24"], Payloads(await GetJsonAsync($"api/queue/ready?name={queue}&count=5&order=oldest&offset=23")));
        Assert.Empty(Payloads(await GetJsonAsync($"api/queue/ready?name={queue}&offset=25")));
        // Browsing reads only: the list is as it was.
        Assert.Equal(25, await Db.ListLengthAsync(Keys.Ready(queue)));
    }

    [Fact]
    public async Task Browse_ShowsTextAsIs_JsonPrettyPrinted_BinaryAsHex_AndHeaders()
    {
        var queue = SingleSiloFixture.UniqueName("dash-kinds");
        var withHeaders = HeaderCodec.Encode("{\"order\":42,\"items\":[1,2]}"u8, new Dictionary<string, string[]> { ["trace-id"] = ["abc"], ["tags"] = ["x", "y"] });
        await Db.ListLeftPushAsync(Keys.Rejected(queue), [(RedisValue)"plain text", (RedisValue)new byte[] { 0x00, 0x01, 0xFE, 0xFF }, (RedisValue)withHeaders]);

        var page = await GetJsonAsync($"api/queue/rejected?name={queue}&order=oldest");
        var d = page.GetProperty("deliveries").EnumerateArray().ToList();
        Assert.Equal("rejected", page.GetProperty("list").GetString());
        Assert.Equal(("text", "plain text"), (d[0].GetProperty("kind").GetString(), d[0].GetProperty("payload").GetString()));
        Assert.Equal(("binary", "0001FEFF"), (d[1].GetProperty("kind").GetString(), d[1].GetProperty("payload").GetString()));
        Assert.Equal("json", d[2].GetProperty("kind").GetString());
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse("{\"order\":42,\"items\":[1,2]}").RootElement, new JsonSerializerOptions { WriteIndented = true }),
            d[2].GetProperty("payload").GetString());
        Assert.Equal(["x", "y"], d[2].GetProperty("headers").GetProperty("tags").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("abc", d[2].GetProperty("headers").GetProperty("trace-id")[0].GetString());
        // The element is the raw bytes, so an action can name exactly this delivery.
        Assert.Equal(withHeaders, Convert.FromBase64String(d[2].GetProperty("element").GetString()!));
        Assert.Equal(JsonValueKind.Null, d[0].GetProperty("headers").ValueKind);
    }

    [Fact]
    public async Task BadQueueNamesAndParameters_Get400WithAClearMessage_AndRedisIsUntouched()
    {
        var before = await RedisSnapshotAsync();
        foreach (var path in new[] { "api/queue?name=a%7Bb%7D", "api/queue", "api/queue/ready?name=", "api/queue/rejected?name=x%5B1%5D", "api/history?name=%7B" })
        {
            using var response = await Http.GetAsync(Url(path));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
            Assert.Contains("is not a valid queue name", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
        foreach (var (query, word) in new[] { ("offset=-1", "?offset="), ("count=0", "?count="), ("count=501", "?count="), ("order=up", "?order=") })
        {
            using var response = await Http.GetAsync(Url($"api/queue/ready?name=fine&{query}"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(word, await response.Content.ReadAsStringAsync());
        }
        var (status, error) = await PostAsync("api/queue/purge-ready?name=a%7Db");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("is not a valid queue name", error.GetProperty("error").GetString());
        var (badMax, _) = await PostAsync("api/queue/return-rejected?name=fine&max=0");
        Assert.Equal(HttpStatusCode.BadRequest, badMax);
        var (badElement, elementError) = await PostAsync("api/queue/requeue?name=fine", new { list = "rejected", element = "not base64!" });
        Assert.Equal(HttpStatusCode.BadRequest, badElement);
        Assert.Contains("base64", elementError.GetProperty("error").GetString());
        var (unknown, unknownError) = await PostAsync("api/queue/explode?name=fine");
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Contains("purge-ready", unknownError.GetProperty("error").GetString());
        Assert.Equal(before, await RedisSnapshotAsync());
    }

    [Fact]
    public async Task Actions_FromLoopback_ChangeRedisAsTheirNamesSay()
    {
        var queue = SingleSiloFixture.UniqueName("dash-act");
        await Db.ListLeftPushAsync(Keys.Ready(queue), ["r1", "r2", "r3"]);
        await Db.ListLeftPushAsync(Keys.Rejected(queue), ["j1", "j2", "j3", "j4"]);
        await Db.SetAddAsync(RedisKeys.Queues, queue);

        // Delete exactly one ready element.
        var (deleted, deleteBody) = await PostAsync($"api/queue/delete?name={queue}", new { list = "ready", element = Convert.ToBase64String("r2"u8.ToArray()) });
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal(1, deleteBody.GetProperty("affected").GetInt64());
        Assert.Equal(["r3", "r1"], (await Db.ListRangeAsync(Keys.Ready(queue))).Select(v => (string)v!));

        // Requeue exactly one rejected element: from rejected to the back (left) of ready.
        var (requeued, requeueBody) = await PostAsync($"api/queue/requeue?name={queue}", new { element = Convert.ToBase64String("j3"u8.ToArray()) });
        Assert.Equal(HttpStatusCode.OK, requeued);
        Assert.Equal(1, requeueBody.GetProperty("affected").GetInt64());
        Assert.Equal(["j3", "r3", "r1"], (await Db.ListRangeAsync(Keys.Ready(queue))).Select(v => (string)v!));
        Assert.Equal(["j4", "j2", "j1"], (await Db.ListRangeAsync(Keys.Rejected(queue))).Select(v => (string)v!));
        // Again: it is no longer in rejected, so nothing moves.
        Assert.Equal(0, (await PostAsync($"api/queue/requeue?name={queue}", new { element = Convert.ToBase64String("j3"u8.ToArray()) })).Body.GetProperty("affected").GetInt64());

        // Return 2 rejected (oldest first), then purge.
        Assert.Equal(2, (await PostAsync($"api/queue/return-rejected?name={queue}&max=2")).Body.GetProperty("affected").GetInt64());
        Assert.Equal(["j2", "j1", "j3", "r3", "r1"], (await Db.ListRangeAsync(Keys.Ready(queue))).Select(v => (string)v!));
        Assert.Equal(1, (await PostAsync($"api/queue/purge-rejected?name={queue}")).Body.GetProperty("affected").GetInt64());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Rejected(queue)));
        Assert.Equal(5, (await PostAsync($"api/queue/purge-ready?name={queue}")).Body.GetProperty("affected").GetInt64());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready(queue)));

        // Return unacked of dead connections: a Go rmq connection whose heartbeat is gone.
        var dead = $"go-dead-{Guid.NewGuid():N}"[..16];
        await Db.ListLeftPushAsync(Keys.Unacked(dead, queue), ["u1", "u2"]);
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(dead), queue);
        await Db.SetAddAsync(RedisKeys.Connections, dead);
        Assert.Equal(2, (await PostAsync($"api/queue/return-unacked?name={queue}")).Body.GetProperty("affected").GetInt64());
        Assert.Equal(2, await Db.ListLengthAsync(Keys.Ready(queue)));
        await Db.SetRemoveAsync(RedisKeys.Connections, dead);
        await Db.KeyDeleteAsync(RedisKeys.ConnectionQueues(dead));

        // Pause needs a consuming queue: 409 saying so, then pause and resume a consuming one.
        var (notConsuming, conflict) = await PostAsync($"api/queue/pause?name={queue}");
        Assert.Equal(HttpStatusCode.Conflict, notConsuming);
        Assert.Contains("StartConsuming", conflict.GetProperty("error").GetString());
        await fixture.Client.Queue(queue).StartConsuming(prefetchLimit: 5, pollInterval: TimeSpan.FromMilliseconds(50));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"api/queue/pause?name={queue}")).Status);
        Assert.Equal("paused", (await GetJsonAsync($"api/queue?name={queue}")).GetProperty("summary").GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"api/queue/resume?name={queue}")).Status);
        Assert.Equal("consuming", (await GetJsonAsync($"api/queue?name={queue}")).GetProperty("summary").GetProperty("state").GetString());
        await fixture.Client.Queue(queue).StopConsuming();
        // Every action was logged with the remote address.
        await Eventually.True(() => Task.FromResult(fixture.Silo.Output.All.Contains($"Dashboard action purge-ready on queue {queue} from 127.0.0.1")), "the purge in the silo's log");
    }

    [Fact]
    public async Task Actions_FromThisMachinesNonLoopbackAddress_AreRefusedWith403SayingWhatToDo_AndRedisIsUnchanged()
    {
        var address = NonLoopbackAddress();
        if (address is null)
        {
            // Nothing to prove with: the machine has only loopback. Said, not hidden.
            output.WriteLine("this machine has no non-loopback IPv4 address; the refusal was not exercised");
            return;
        }
        output.WriteLine($"requests come from {address} (connecting to the silo's 127.0.0.1 listener from that source address)");
        var queue = SingleSiloFixture.UniqueName("dash-remote");
        await Db.ListLeftPushAsync(Keys.Ready(queue), ["keep me"]);
        using var remote = ClientFrom(address);
        var before = await RedisSnapshotAsync();

        var (status, body) = await PostAsync($"api/queue/purge-ready?name={queue}", client: remote);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains("loopback only", error);
        Assert.Contains(address.ToString(), error);
        Assert.Contains("Dashboard:ApiKey", error);
        Assert.Contains("X-Rmq-Api-Key", error);
        Assert.Equal(before, await RedisSnapshotAsync());
        // Reads stay open to everyone who can reach the port.
        using var read = await remote.GetAsync(Url($"api/queue/ready?name={queue}"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await Eventually.True(() => Task.FromResult(fixture.Silo.Output.All.Contains($"purge-ready on queue {queue} from {address} refused")), "the refusal in the silo's log");
    }

    [Fact]
    public async Task Actions_ABrowserSendsForAnotherSite_OrForANonLoopbackHostName_AreRefusedEvenFromLoopback()
    {
        var queue = SingleSiloFixture.UniqueName("dash-csrf");
        await Db.ListLeftPushAsync(Keys.Ready(queue), ["keep me"]);
        var before = await RedisSnapshotAsync();
        var cases = new (string Header, string Value, string Says)[]
        {
            ("Origin", "http://evil.example", "is not this dashboard"),
            ("Origin", "null", "is not this dashboard"),
            ("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Site: cross-site"),
            ("Sec-Fetch-Site", "same-site", "Sec-Fetch-Site: same-site"),
            // A DNS-rebinding page reaches 127.0.0.1 under its own name.
            ("Host", "rebind.evil.example", "not a loopback name"),
        };
        foreach (var (header, value, says) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Url($"api/queue/purge-ready?name={queue}"));
            if (header == "Host") request.Headers.Host = value;
            else request.Headers.TryAddWithoutValidation(header, value);
            using var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{header}: {value}: {(int)response.StatusCode} {body}");
            Assert.Contains(says, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
        Assert.Equal(before, await RedisSnapshotAsync());
        // The dashboard's own page sends its origin and same-origin: allowed.
        using var own = new HttpRequestMessage(HttpMethod.Post, Url($"api/queue/purge-ready?name={queue}"));
        own.Headers.TryAddWithoutValidation("Origin", fixture.Silo.BaseUrl.GetLeftPart(UriPartial.Authority));
        own.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var ok = await Http.SendAsync(own);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Ready(queue)));
    }

    [Fact]
    public async Task ApiKey_LetsAnAddressAct_AWrongOrMissingKeyIsRefused_AndLoopbackNeedsItWhenConfiguredSo()
    {
        const string key = "dashboard-test-key-0123456789";
        await using var silo = SiloProcess.Start("dash-key", fixture.Redis.Endpoint, "--Rmq:CleanerEnabled", "false",
            "--Dashboard:ApiKey", key, "--Dashboard:AllowLoopbackWithoutKey", "false");
        await silo.WaitHealthyAsync();
        var queue = SingleSiloFixture.UniqueName("dash-key");
        await Db.ListLeftPushAsync(Keys.Rejected(queue), ["a", "b"]);

        var (noKey, noKeyBody) = await PostAsync($"api/queue/return-rejected?name={queue}", baseUrl: silo.BaseUrl);
        Assert.Equal(HttpStatusCode.Forbidden, noKey);
        Assert.Contains("X-Rmq-Api-Key", noKeyBody.GetProperty("error").GetString());
        using var wrong = new HttpClient { DefaultRequestHeaders = { { "X-Rmq-Api-Key", key + "x" } } };
        var (wrongKey, wrongBody) = await PostAsync($"api/queue/return-rejected?name={queue}", client: wrong, baseUrl: silo.BaseUrl);
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey);
        Assert.Contains("does not match", wrongBody.GetProperty("error").GetString());
        Assert.Equal(2, await Db.ListLengthAsync(Keys.Rejected(queue)));

        var address = NonLoopbackAddress();
        using var right = address is null ? new HttpClient() : ClientFrom(address);
        right.DefaultRequestHeaders.Add("X-Rmq-Api-Key", key);
        var (ok, okBody) = await PostAsync($"api/queue/return-rejected?name={queue}", client: right, baseUrl: silo.BaseUrl);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(2, okBody.GetProperty("affected").GetInt64());
        Assert.Equal(0, await Db.ListLengthAsync(Keys.Rejected(queue)));
        Assert.DoesNotContain(key, silo.Output.All);
    }

    [Fact]
    public async Task ASettingTheDashboardRefuses_StopsTheSiloWithExitCode2NamingIt()
    {
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", fixture.Redis.Endpoint, "--Dashboard:ApiKey", "short"]);
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.Contains("Dashboard:ApiKey has 5 characters", exit.StdErr);
        var history = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", fixture.Redis.Endpoint, "--Dashboard:HistorySeconds", "5"]);
        Assert.True(history.ExitCode == 2, history.ToString());
        Assert.Contains("Dashboard:HistorySeconds is 5", history.StdErr);
    }

    [Fact]
    public async Task QueueAndCluster_ShowConnectionsWithSiloHeartbeatAndConsumers_GoRmqsToo_AndEventsStreamSamples()
    {
        var queue = SingleSiloFixture.UniqueName("dash-conn");
        var grain = fixture.Client.Queue(queue);
        await grain.StartConsuming(prefetchLimit: 5, pollInterval: TimeSpan.FromMilliseconds(50));
        await grain.AddConsumer("dash", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(3100));
        await grain.SetFlowLimits(new FlowLimits { Rate = RateLimit.Parse("50/s"), MaxConcurrency = 2 });
        var rmqConnection = await grain.GetConnectionName();
        var go = $"go-live-{Guid.NewGuid():N}"[..16];
        await Db.StringSetAsync(RedisKeys.Heartbeat(go), "1", TimeSpan.FromSeconds(50));
        await Db.ListLeftPushAsync(Keys.Unacked(go, queue), ["u1", "u2", "u3"]);
        await Db.SetAddAsync(Keys.Consumers(go, queue), ["go-a-AAAAAA"]);
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(go), queue);
        await Db.SetAddAsync(RedisKeys.Connections, go);
        try
        {
            var detail = await GetJsonAsync($"api/queue?name={queue}");
            Assert.Equal("consuming", detail.GetProperty("summary").GetProperty("state").GetString());
            Assert.Equal(3, detail.GetProperty("summary").GetProperty("unacked").GetInt64());
            Assert.Equal(0, detail.GetProperty("summary").GetProperty("recurring").GetInt64());
            var limits = detail.GetProperty("consuming").GetProperty("limits");
            Assert.Equal((50, "00:00:01", 2), (limits.GetProperty("rate").GetProperty("count").GetInt32(), limits.GetProperty("rate").GetProperty("per").GetString(),
                limits.GetProperty("maxConcurrency").GetInt32()));
            var connections = detail.GetProperty("connections").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            var goView = connections[go];
            Assert.True(goView.GetProperty("isGoRmq").GetBoolean());
            Assert.True(goView.GetProperty("active").GetBoolean());
            Assert.InRange(goView.GetProperty("heartbeatTtlSeconds").GetDouble(), 40, 50);
            Assert.InRange(goView.GetProperty("heartbeatAgeSeconds").GetDouble(), 10, 20);
            Assert.Equal(3, goView.GetProperty("unacked").GetInt64());
            Assert.Equal(["go-a-AAAAAA"], goView.GetProperty("consumers").EnumerateArray().Select(c => c.GetString()));
            var mine = connections[rmqConnection!];
            Assert.False(mine.GetProperty("isGoRmq").GetBoolean());
            Assert.NotNull(mine.GetProperty("silo").GetString());
            Assert.Equal(1, mine.GetProperty("consumers").GetArrayLength());

            // The cleaner, run on demand on this (only) silo, returns a dead Go rmq connection's unacked.
            var cleanerBefore = (await GetJsonAsync("api/cluster")).GetProperty("cleaner").GetProperty("total").GetInt64();
            var dead = $"go-dead-{Guid.NewGuid():N}"[..16];
            await Db.ListLeftPushAsync(Keys.Unacked(dead, queue), ["d1", "d2"]);
            await Db.SetAddAsync(RedisKeys.ConnectionQueues(dead), queue);
            await Db.SetAddAsync(RedisKeys.Connections, dead);
            Assert.True(await fixture.Client.Grains.GetGrain<ICleanerGrain>(0).Clean() >= 2);

            var cluster = await GetJsonAsync("api/cluster");
            var cleaner = cluster.GetProperty("cleaner");
            Assert.True(cleaner.GetProperty("total").GetInt64() >= cleanerBefore + 2, cleaner.ToString());
            Assert.Equal(JsonValueKind.String, cleaner.GetProperty("lastAt").ValueKind);
            var lastPass = cluster.GetProperty("lastPass");
            Assert.True(lastPass.GetProperty("returned").GetInt64() >= 2, lastPass.ToString());
            Assert.Equal(JsonValueKind.Null, lastPass.GetProperty("error").ValueKind);
            Assert.True(DateTimeOffset.UtcNow - lastPass.GetProperty("at").GetDateTimeOffset() < TimeSpan.FromMinutes(1), lastPass.ToString());
            var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray(), s => s.GetProperty("isThisSilo").GetBoolean());
            Assert.Equal("Active", silo.GetProperty("status").GetString());
            Assert.Equal(mine.GetProperty("silo").GetString(), silo.GetProperty("address").GetString());
            Assert.Contains(queue, silo.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
            Assert.Contains(go, cluster.GetProperty("goRmqConnections").EnumerateArray().Select(c => c.GetProperty("name").GetString()));

            // Server-sent events: a sample a second, with this queue's backlog and state.
            using var events = await Http.GetStreamAsync(Url("api/events"));
            using var reader = new StreamReader(events);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            string? data = null;
            while (data is null && await reader.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(queue, StringComparison.Ordinal)) data = line["data: ".Length..];
            using var sample = JsonDocument.Parse(data!);
            var row = sample.RootElement.GetProperty("overview").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue);
            Assert.Equal("consuming", row.GetProperty("state").GetString());
            Assert.Equal(3, sample.RootElement.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("name").GetString() == queue).GetProperty("unacked").GetInt64());
        }
        finally
        {
            await grain.StopConsuming();
            await Db.SetRemoveAsync(RedisKeys.Connections, go);
            await Db.KeyDeleteAsync([RedisKeys.Heartbeat(go), RedisKeys.ConnectionQueues(go), Keys.Consumers(go, queue), Keys.Unacked(go, queue)]);
        }
    }

    /// <summary>Every key with its type and serialized value (DUMP): equal snapshots mean Redis was not touched.</summary>
    private async Task<string> RedisSnapshotAsync()
    {
        var server = fixture.Multiplexer.GetServer(fixture.Multiplexer.GetEndPoints()[0]);
        var entries = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            // Heartbeats are rewritten every second by consuming queues of other tests: compare their existence only.
            var dump = ((string)key!).EndsWith("::heartbeat", StringComparison.Ordinal) ? "" : Convert.ToBase64String(await Db.KeyDumpAsync(key) ?? []);
            entries.Add($"{key} {dump}");
        }
        return string.Join("\n", entries.Order(StringComparer.Ordinal));
    }

    /// <summary>This machine's first non-loopback IPv4 address on an interface that is up, or null.</summary>
    internal static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    /// <summary>
    /// An HTTP client whose connections leave from <paramref name="source"/>: the silo listens on 127.0.0.1
    /// only, and Linux routes the connection over lo while the server sees this source address.
    /// </summary>
    internal static HttpClient ClientFrom(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    }) { Timeout = TimeSpan.FromSeconds(15) };
}
