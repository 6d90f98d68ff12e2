using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>The stats page as a person sees it: loaded in headless Chromium, compared with what Redis holds.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class StatsPageBrowserTests(SingleSiloFixture fixture, ITestOutputHelper output)
{
    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    [Fact]
    public async Task StatsPage_InChromium_ShowsEveryQueueAndConnectionWithTheCountsRedisHolds()
    {
        var waiting = SingleSiloFixture.UniqueName("page-waiting");
        var consumed = SingleSiloFixture.UniqueName("page-consumed");
        var odd = "<b>odd & name</b>";
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var goConsumer = $"go-consumer-{suffix}";
        var goDead = $"go-dead-{suffix}";
        var goProducer = $"go-producer-{suffix}";

        // Through Rmq: a queue with ready deliveries, and a consuming queue with two consumers.
        await fixture.Client.Queue(waiting).PublishBatch(["1", "2", "3", "4", "5", "6", "7"]);
        await Db.ListLeftPushAsync(Keys.Rejected(waiting), ["r1", "r2", "r3"]);
        var consuming = fixture.Client.Queue(consumed);
        await consuming.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(50));
        await consuming.AddConsumer("page", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(2000));
        await consuming.AddConsumer("page", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(2001));
        await consuming.PublishBatch(["job a", "job b", "bad c"]);
        await fixture.Client.Queue(odd).Publish("x");
        await Eventually.Equal(0L, async () => await Db.ListLengthAsync(Keys.Ready(consumed)) + await fixture.UnackedAsync(consumed), "ready + unacked of the consuming queue");

        // As Go rmq programs would: a live consumer holding 4 unacked on the waiting queue, a dead
        // one (heartbeat gone) with 1, and a producer connection that consumes nothing.
        await GoConnectionAsync(goConsumer, alive: true, waiting, consumers: ["go-a-AAAAAA", "go-b-BBBBBB"], unacked: ["u1", "u2", "u3", "u4"]);
        await GoConnectionAsync(goDead, alive: false, waiting, consumers: ["go-c-CCCCCC"], unacked: ["u5"]);
        await Db.StringSetAsync(RedisKeys.Heartbeat(goProducer), "1", TimeSpan.FromSeconds(60));
        await Db.SetAddAsync(RedisKeys.Connections, goProducer);

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(new Uri(fixture.Silo.BaseUrl, "stats"));
        var screenshot = browser.Screenshot(Path.Combine(RepoPaths.Results, "stats-page.png"));
        output.WriteLine($"stats page screenshot: {screenshot}");
        Console.WriteLine($"stats page screenshot: {screenshot}");
        var rows = browser.TableRows();
        var html = browser.Driver.PageSource;

        Assert.Equal(["queue", "ready", "rejected", "", "connections", "unacked", "consumers"], rows[0].Cells);
        // Every queue Redis lists has its row, in name order, with Redis's counts.
        var listed = (await Db.SetMembersAsync(RedisKeys.Queues)).Select(v => (string)v!).Order(StringComparer.Ordinal).ToList();
        var queueRows = rows.Skip(1).Where(r => r.Class is null && r.Cells.Count == 7).ToList();
        Assert.Equal(listed, queueRows.Select(r => r.Cells[0]));
        foreach (var queue in new[] { waiting, consumed, odd })
        {
            var row = queueRows.Single(r => r.Cells[0] == queue).Cells;
            Assert.Equal((await Db.ListLengthAsync(Keys.Ready(queue))).ToString(), row[1]);
            Assert.Equal((await Db.ListLengthAsync(Keys.Rejected(queue))).ToString(), row[2]);
        }
        Assert.Equal(["7", "3", "", "2", "5", "3"], queueRows.Single(r => r.Cells[0] == waiting).Cells[1..]);
        Assert.Equal(["0", "1", "", "1", "0", "2"], queueRows.Single(r => r.Cells[0] == consumed).Cells[1..]);
        Assert.DoesNotContain("<b>odd", html.Replace("&lt;b&gt;odd", "", StringComparison.Ordinal));

        // Below the waiting queue: one grey row per consuming connection, Go rmq's included, by name.
        var connectionRows = RowsBelow(rows, waiting);
        Assert.Equal([["", "", "", "✓", goConsumer, "4", "2"], ["", "", "", "✗", goDead, "1", "1"]], connectionRows);
        var rmqConnection = await consuming.GetConnectionName();
        Assert.NotNull(rmqConnection);
        Assert.Equal([["", "", "", "✓", rmqConnection, "0", "2"]], RowsBelow(rows, consumed));
        Assert.Contains(rows, r => r.Class == "other-connection" && r.Cells.SequenceEqual(["", "", "", "✓", goProducer, "", ""]));

        // ?layout=condensed: queue rows only.
        browser.Driver.Navigate().GoToUrl(new Uri(fixture.Silo.BaseUrl, "stats?layout=condensed"));
        var condensed = browser.TableRows();
        Assert.DoesNotContain(condensed, r => r.Class is "connection" or "other-connection");
        Assert.Equal(listed, condensed.Skip(1).Select(r => r.Cells[0]));

        // ?refresh=1: the browser reloads by itself and shows what changed in Redis meanwhile.
        browser.Driver.Navigate().GoToUrl(new Uri(fixture.Silo.BaseUrl, "stats?refresh=1"));
        Assert.Equal("7", browser.TableRows().Single(r => r.Cells.Count == 7 && r.Cells[0] == waiting).Cells[1]);
        await Db.ListLeftPushAsync(Keys.Ready(waiting), ["8", "9"]);
        await Eventually.Equal("9", () => Task.FromResult(ReadyCellOrEmpty(browser, waiting)), "the ready count after the page refreshed itself", seconds: 15);

        await consuming.StopConsuming();
        // The simulated Go rmq connections go, so 'rmq clean' in another test finds only its own.
        foreach (var connection in new[] { goConsumer, goDead, goProducer })
        {
            await Db.SetRemoveAsync(RedisKeys.Connections, connection);
            await Db.KeyDeleteAsync([RedisKeys.Heartbeat(connection), RedisKeys.ConnectionQueues(connection), Keys.Consumers(connection, waiting), Keys.Unacked(connection, waiting)]);
        }
    }

    private static string ReadyCellOrEmpty(HeadlessChromium browser, string queue)
    {
        try
        {
            return browser.TableRows().SingleOrDefault(r => r.Cells.Count == 7 && r.Cells[0] == queue).Cells?[1] ?? "";
        }
        catch (OpenQA.Selenium.WebDriverException)
        {
            return ""; // the page was reloading while the script ran
        }
    }

    private static List<List<string>> RowsBelow(List<(string? Class, List<string> Cells)> rows, string queue)
    {
        var start = rows.FindIndex(r => r.Class is null && r.Cells.Count == 7 && r.Cells[0] == queue);
        return rows.Skip(start + 1).TakeWhile(r => r.Class == "connection").Select(r => r.Cells).ToList();
    }

    private async Task GoConnectionAsync(string connection, bool alive, string queue, string[] consumers, string[] unacked)
    {
        // The keys Go rmq leaves, heartbeat first and rmq::connections last: a cleaner never sees a dead
        // connection registered before its unacked list and queues set.
        if (alive) await Db.StringSetAsync(RedisKeys.Heartbeat(connection), "1", TimeSpan.FromSeconds(60));
        await Db.ListLeftPushAsync(Keys.Unacked(connection, queue), unacked.Select(u => (RedisValue)u).ToArray());
        await Db.SetAddAsync(Keys.Consumers(connection, queue), consumers.Select(c => (RedisValue)c).ToArray());
        await Db.SetAddAsync(RedisKeys.ConnectionQueues(connection), queue);
        await Db.SetAddAsync(RedisKeys.Connections, connection);
    }
}
