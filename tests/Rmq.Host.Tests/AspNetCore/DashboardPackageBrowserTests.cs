using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenQA.Selenium;
using Rmq.Publishing;

namespace Rmq.Host.Tests.AspNetCore;

/// <summary>
/// The packaged dashboard under <c>/rmq</c> behind the application's policy, in headless Chromium: refused without
/// the policy's role; with it, a queue's live numbers change without a reload while a producer publishes through
/// <see cref="RmqPublisher"/> (straight to Redis, not through the silo).
/// </summary>
public sealed class DashboardPackageBrowserTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = DashboardPackageTests.BuildApp(_redis.Endpoint, dashboard => dashboard.RequireAuthorization("rmq-admin"));
        DashboardPackageTests.MapTestLogin(_app);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task UnderRmq_InChromium_RefusedWithoutThePolicy_AndLiveWithIt_WhileRmqPublisherPublishes()
    {
        const string queue = "pkg-live";
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = _redis.Endpoint);
        var producer = publisher.Queue(queue);
        await producer.PublishBatch(["1", "2", "3"]);
        var baseUrl = _app.Urls.Single();

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(baseUrl + "/rmq/");
        Assert.Empty(browser.Driver.FindElements(By.Id("view")));   // 401: no dashboard
        browser.Driver.Navigate().GoToUrl(baseUrl + "/test-login?role=reader");
        browser.Driver.Navigate().GoToUrl(baseUrl + "/rmq/");
        Assert.Empty(browser.Driver.FindElements(By.Id("view")));   // 403: signed in, without the policy's role

        browser.Driver.Navigate().GoToUrl(baseUrl + "/test-login?role=admin");
        browser.Driver.Navigate().GoToUrl(baseUrl + "/rmq");         // redirected to /rmq/, where its relative links resolve
        Assert.EndsWith("/rmq/", browser.Driver.Url);
        await Eventually.Equal("3", () => Task.FromResult(Cell(browser, queue, "ready")), "the ready count under /rmq");
        browser.Driver.ExecuteScript("window.__noReload = 42;");

        await DashboardPage.WhilePublishingAsync(i => producer.Publish($"p{i}"), async () =>
        {
            await DashboardPage.ReadyCountsChange(browser, queue, 3, "three different ready counts above 3 while RmqPublisher publishes");
            // Rates come from Redis: publishes that never pass through a silo are counted.
            await Eventually.True(() => Task.FromResult(long.TryParse(Cell(browser, queue, "published-rate"), out var r) && r > 0),
                "a published rate above 0 for RmqPublisher's publishes", seconds: 10);
            Assert.Equal(42L, browser.Driver.ExecuteScript("return window.__noReload;"));
            Assert.Equal("live", browser.Driver.FindElement(By.Id("live")).Text);
        });
    }

    private static string Cell(HeadlessChromium browser, string queue, string column) => DashboardPage.QueueCell(browser, queue, column);
}
