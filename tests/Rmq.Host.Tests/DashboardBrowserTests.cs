using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Rmq.Demo;

namespace Rmq.Host.Tests;

/// <summary>The dashboard at <c>/</c> as a person sees it: headless Chromium against a real silo and Redis.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class DashboardBrowserTests(SingleSiloFixture fixture, ITestOutputHelper output)
{
    private IDatabase Db => fixture.Db;
    private RedisKeys Keys => fixture.Keys;

    [Fact]
    public async Task Overview_InChromium_ShowsLiveNumbersThatChangeWhileAProducerRuns_WithoutAReload()
    {
        var queue = SingleSiloFixture.UniqueName("dash-live");
        var grain = fixture.Client.Queue(queue);
        await grain.PublishBatch(["1", "2", "3"]);
        await Db.ListLeftPushAsync(Keys.Rejected(queue), ["bad"]);
        // A consuming queue beside it, so the charts show acks and rejections too (the demo consumers reject "bad …").
        var work = fixture.Client.Queue(SingleSiloFixture.UniqueName("dash-work"));
        await work.StartConsuming(prefetchLimit: 10, pollInterval: TimeSpan.FromMilliseconds(50));
        await work.AddConsumer("dash", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(3200));
        await work.AddConsumer("dash", fixture.Client.Grains.GetGrain<IDemoConsumerGrain>(3201));

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(fixture.Silo.BaseUrl);
        await Eventually.Equal("3", () => Task.FromResult(Cell(browser, queue, "ready")), "the ready count on the overview");
        Assert.Equal("1", Cell(browser, queue, "rejected"));
        Assert.Equal("idle", Cell(browser, queue, "state"));
        // A marker that a reload would wipe: the numbers below must change under it.
        browser.Driver.ExecuteScript("window.__noReload = 42;");

        // A producer publishing through the silo (so this silo's published rate moves) for as long as the test watches.
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await grain.Publish($"p{i}");
                await work.PublishBatch([$"job {i}", $"job {i}b", i % 3 == 0 ? $"bad {i}" : $"job {i}c"]);
                await Task.Delay(100);
            }
        });
        try
        {
            var seen = new HashSet<string>();
            await Eventually.True(() =>
            {
                seen.Add(Cell(browser, queue, "ready"));
                return Task.FromResult(seen.Count(s => long.TryParse(s, out var n) && n > 3) >= 3);
            }, "three different ready counts above 3 on the page while the producer runs", seconds: 20);
            await Eventually.True(() => Task.FromResult(long.TryParse(Cell(browser, queue, "published-rate"), out var r) && r > 0),
                "a published rate above 0", seconds: 10);
            Assert.Equal(42L, browser.Driver.ExecuteScript("return window.__noReload;"));
            Assert.Equal("live", browser.Driver.FindElement(By.Id("live")).Text);
            Assert.Equal(2, browser.Driver.FindElements(By.CssSelector(".uplot")).Count);
            // Taken while the producer and the consumers run, so the picture shows live work.
            var screenshot = browser.Screenshot(Path.Combine(RepoPaths.Results, "dashboard-overview.png"));
            output.WriteLine($"dashboard overview screenshot: {screenshot}");
            Console.WriteLine($"dashboard overview screenshot: {screenshot}");
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
            await work.StopConsuming();
        }
        // What the page says agrees with Redis once the producer stopped.
        var ready = await Db.ListLengthAsync(Keys.Ready(queue));
        await Eventually.Equal(ready.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-US")), () => Task.FromResult(Cell(browser, queue, "ready")), "the final ready count");
    }

    [Fact]
    public async Task QueuePage_InChromium_BrowsesARejectedDeliveryWithHeaders_AndReturnRejectedMovesItToReadyInRedis()
    {
        var queue = SingleSiloFixture.UniqueName("dash-queue");
        var element = HeaderCodec.Encode("{\"invoice\":1017,\"amount\":\"12.50\"}"u8,
            new Dictionary<string, string[]> { ["rmq-dead-letter-reason"] = ["retries-exhausted"], ["tenant"] = ["acme"] });
        await fixture.Client.Queue(queue).PublishBatch(["job 1", "job 2"]);
        await Db.ListLeftPushAsync(Keys.Rejected(queue), element);

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(new Uri(fixture.Silo.BaseUrl, $"#/queue/{Uri.EscapeDataString(queue)}"));
        var wait = new WebDriverWait(browser.Driver, TimeSpan.FromSeconds(15));
        wait.Until(d => DashboardPage.Text(d, "[data-stat=rejected] .v") == "1");
        Assert.Equal(queue, browser.Driver.FindElement(By.Id("queue-name")).Text);
        browser.Driver.FindElement(By.CssSelector("[data-list=rejected]")).Click();
        wait.Until(d => DashboardPage.Text(d, "#page-info").Contains("in rejected", StringComparison.Ordinal));
        var delivery = browser.Driver.FindElement(By.CssSelector("#deliveries .delivery"));
        Assert.Equal("json", delivery.GetAttribute("data-kind"));
        var headers = delivery.FindElements(By.CssSelector(".headers tr"))
            .ToDictionary(r => r.FindElement(By.CssSelector(".header-name")).Text, r => r.FindElement(By.CssSelector(".header-value")).Text);
        Assert.Equal("retries-exhausted", headers["rmq-dead-letter-reason"]);
        Assert.Equal("acme", headers["tenant"]);
        Assert.Contains("\"invoice\": 1017", delivery.FindElement(By.CssSelector(".payload")).Text);
        // The whole page in the picture: a taller window, scrolled to the top.
        browser.Driver.Manage().Window.Size = new System.Drawing.Size(1280, 1900);
        browser.Driver.ExecuteScript("window.scrollTo(0, 0);");
        var screenshot = browser.Screenshot(Path.Combine(RepoPaths.Results, "dashboard-queue.png"));
        output.WriteLine($"dashboard queue page screenshot: {screenshot}");
        Console.WriteLine($"dashboard queue page screenshot: {screenshot}");

        // Return rejected: the page asks first; declining changes nothing, accepting moves it.
        browser.Driver.FindElement(By.CssSelector("[data-act=return-rejected]")).Click();
        wait.Until(d => Alert(d))!.Dismiss();
        Assert.Equal(1, await Db.ListLengthAsync(Keys.Rejected(queue)));
        browser.Driver.FindElement(By.CssSelector("[data-act=return-rejected]")).Click();
        var confirm = wait.Until(d => Alert(d))!;
        Assert.Contains("Return every rejected delivery", confirm.Text);
        confirm.Accept();
        await Eventually.Equal(0L, () => Db.ListLengthAsync(Keys.Rejected(queue)), "rejected after the action");
        Assert.Equal(3, await Db.ListLengthAsync(Keys.Ready(queue)));
        // Back at the left of ready, as Go rmq's ReturnRejected puts it (its headers as they were: no retry headers to strip).
        Assert.Equal(element, (byte[])(await Db.ListGetByIndexAsync(Keys.Ready(queue), 0))!);
        wait.Until(d => DashboardPage.Toast(d).Contains("1 returned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueuePage_WhenAnActionIsRefused_PromptsForTheApiKey_AndResendsItInTheHeader()
    {
        const string key = "browser-test-key-0123456789";
        // Loopback needs the key too on this silo, so the page's own request is refused first.
        await using var silo = SiloProcess.Start("dash-prompt", fixture.Redis.Endpoint, "--Rmq:CleanerEnabled", "false",
            "--Dashboard:ApiKey", key, "--Dashboard:AllowLoopbackWithoutKey", "false");
        await silo.WaitHealthyAsync();
        var queue = SingleSiloFixture.UniqueName("dash-prompt");
        await Db.ListLeftPushAsync(Keys.Ready(queue), ["one", "two"]);

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(new Uri(silo.BaseUrl, $"#/queue/{Uri.EscapeDataString(queue)}"));
        var wait = new WebDriverWait(browser.Driver, TimeSpan.FromSeconds(15));
        wait.Until(d => DashboardPage.Text(d, "[data-stat=ready] .v") == "2");
        browser.Driver.FindElement(By.CssSelector("[data-act=purge-ready]")).Click();
        var confirm = wait.Until(d => Alert(d))!;
        Assert.Contains("Delete every ready delivery", confirm.Text);
        confirm.Accept();
        var prompt = wait.Until(d => Alert(d))!;
        Assert.Contains("API key", prompt.Text);
        Assert.Contains("X-Rmq-Api-Key", prompt.Text);
        Assert.Equal(2, await Db.ListLengthAsync(Keys.Ready(queue)));
        prompt.SendKeys(key);
        prompt.Accept();
        await Eventually.Equal(0L, () => Db.ListLengthAsync(Keys.Ready(queue)), "ready after the purge sent with the key");
        await Eventually.True(() => Task.FromResult(silo.Output.All.Contains($"Dashboard action purge-ready on queue {queue} from 127.0.0.1: 2 deleted")),
            "the purge in the silo's log");
    }

    private static IAlert? Alert(IWebDriver driver) => DashboardPage.Alert(driver);

    private static string Cell(HeadlessChromium browser, string queue, string column) => DashboardPage.QueueCell(browser, queue, column);
}
