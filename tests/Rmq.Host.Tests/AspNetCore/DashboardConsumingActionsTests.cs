using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using Rmq.Host.Tests.Consumers;

namespace Rmq.Host.Tests.AspNetCore;

/// <summary>
/// The dashboard's consuming actions, <c>update-consuming</c> (<see cref="IQueueGrain.UpdateConsuming"/>) and
/// <c>remove-consumer</c> (<see cref="IQueueGrain.RemoveConsumer"/>), through the API and through the queue page's
/// buttons in Chromium, behind the application's policy: each changes what Redis holds, and bad input changes nothing.
/// </summary>
public sealed class DashboardConsumingActionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private RedisServer _redis = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private ConnectionMultiplexer _multiplexer = null!;

    private IDatabase Db => _multiplexer.GetDatabase();
    private IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = DashboardPackageTests.BuildApp(_redis.Endpoint, dashboard => dashboard.RequireAuthorization("rmq-admin"));
        DashboardPackageTests.MapTestLogin(_app);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _multiplexer.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ThroughTheApi_AnAdminChangesPrefetchAndPoll_AndRemovesAConsumer_WhoElseIsRefused_AndBadInputChangesNothing()
    {
        const string queue = "act-api";
        var q = Grains.GetGrain<IQueueGrain>(queue);
        await q.StartConsuming(10, Poll);
        var leaving = await q.AddConsumer("act", Grains.GetGrain<IAckingConsumerGrain>("act-api-leaving"));
        await q.AddConsumer("act", Grains.GetGrain<IAckingConsumerGrain>("act-api-staying"));

        using (var update = await Post($"update-consuming?name={queue}&prefetch=50&poll=20"))
        {
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
            Assert.Contains("prefetch 50 and poll 20 ms", await Message(update));
        }
        Assert.Equal("50", (string?)await Db.HashGetAsync(_keys.ConsumingConfig(queue), "prefetch"));
        Assert.Equal("20", (string?)await Db.HashGetAsync(_keys.ConsumingConfig(queue), "poll-ms"));

        // Out of range, not a number, missing, refused by the policy: 400s and a 403, and Redis keeps 50 and 20.
        foreach (var (path, role, status) in new[]
                 {
                     ($"update-consuming?name={queue}&prefetch=0&poll=20", "admin", HttpStatusCode.BadRequest),
                     ($"update-consuming?name={queue}&prefetch=many&poll=20", "admin", HttpStatusCode.BadRequest),
                     ($"update-consuming?name={queue}&prefetch=5", "admin", HttpStatusCode.BadRequest),
                     ($"update-consuming?name={queue}&prefetch=5&poll=5", "reader", HttpStatusCode.Forbidden),
                     ($"remove-consumer?name={queue}", "admin", HttpStatusCode.BadRequest),
                     ($"remove-consumer?name={queue}&consumer={leaving}", "reader", HttpStatusCode.Forbidden),
                 })
        {
            using var refused = await Post(path, role);
            Assert.True(refused.StatusCode == status, $"{path} as {role}: {refused.StatusCode}, not {status}");
        }
        using (var unknown = await Post($"update-consuming?name={queue}&prefetch=0&poll=20"))
            Assert.Contains("?prefetch= and ?poll=", await Message(unknown, "error"));
        Assert.Equal("50", (string?)await Db.HashGetAsync(_keys.ConsumingConfig(queue), "prefetch"));
        Assert.Equal(2, await Db.HashLengthAsync(_keys.ConsumerGrains(queue)));

        using (var remove = await Post($"remove-consumer?name={queue}&consumer={leaving}"))
        {
            Assert.Equal(HttpStatusCode.OK, remove.StatusCode);
            Assert.Equal(1, (await remove.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("affected").GetInt64());
        }
        Assert.Equal(1, await Db.HashLengthAsync(_keys.ConsumerGrains(queue)));
        using (var again = await Post($"remove-consumer?name={queue}&consumer={leaving}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Contains($"has no consumer '{leaving}'", await Message(again, "error"));
        }

        // The queue goes on with the one left, under the new settings: everything published is consumed by it.
        await q.PublishBatch(Enumerable.Range(0, 20).Select(i => $"m{i}").ToList());
        await Eventually.Equal(20, () => Task.FromResult(Consumed("act-api-staying").Count), "consumed by the consumer left");
        Assert.Empty(Consumed("act-api-leaving"));
        await Eventually.Equal(0L, () => Db.ListLengthAsync(_keys.Ready(queue)), "ready");

        // Not consuming: the grain's own answer, as a conflict.
        using (var idle = await Post("update-consuming?name=act-idle&prefetch=5&poll=5"))
        {
            Assert.Equal(HttpStatusCode.Conflict, idle.StatusCode);
            Assert.Contains("StartConsuming", await Message(idle, "error"));
        }
    }

    [Fact]
    public async Task OnTheQueuePage_InChromium_ChangePrefetchAndPoll_AndRemoveAConsumer_AskFirst_AndChangeRedis()
    {
        const string queue = "act-page";
        var q = Grains.GetGrain<IQueueGrain>(queue);
        await q.StartConsuming(10, Poll);
        var leaving = await q.AddConsumer("page", Grains.GetGrain<IAckingConsumerGrain>("act-page-leaving"));
        await q.AddConsumer("page", Grains.GetGrain<IAckingConsumerGrain>("act-page-staying"));
        var baseUrl = _app.Urls.Single();

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(baseUrl + "/test-login?role=admin");
        browser.Driver.Navigate().GoToUrl(baseUrl + $"/rmq/#/queue/{queue}");
        var wait = new WebDriverWait(browser.Driver, TimeSpan.FromSeconds(15));

        // Change prefetch and poll: two prompts, then a confirmation.
        wait.Until(d => d.FindElements(By.CssSelector("[data-act=update-consuming]")).Count == 1);
        browser.Driver.FindElement(By.CssSelector("[data-act=update-consuming]")).Click();
        var prefetch = wait.Until(Alert)!;
        Assert.Contains("Prefetch limit", prefetch.Text);
        prefetch.SendKeys("40");
        prefetch.Accept();
        var poll = wait.Until(Alert)!;
        poll.SendKeys("25");
        poll.Accept();
        var confirm = wait.Until(Alert)!;
        Assert.Contains("prefetch 40 and poll 25 ms", confirm.Text);
        confirm.Accept();
        await Eventually.Equal("40", async () => (string?)await Db.HashGetAsync(_keys.ConsumingConfig(queue), "prefetch"), "prefetch in Redis");
        Assert.Equal("25", (string?)await Db.HashGetAsync(_keys.ConsumingConfig(queue), "poll-ms"));

        // Remove a consumer: its button in the connections table; declining changes nothing, accepting removes it.
        var button = By.CssSelector($"[data-remove-consumer='{leaving}']");
        wait.Until(d => ClickRedrawn(d, button));
        wait.Until(Alert)!.Dismiss();
        Assert.Equal(2, await Db.HashLengthAsync(_keys.ConsumerGrains(queue)));
        wait.Until(d => ClickRedrawn(d, button));
        var removal = wait.Until(Alert)!;
        Assert.Contains($"Remove the consumer {leaving}", removal.Text);
        removal.Accept();
        await Eventually.Equal(1L, () => Db.HashLengthAsync(_keys.ConsumerGrains(queue)), "registered consumers in Redis");
        wait.Until(d => DashboardPage.Toast(d).Contains("consumer removed", StringComparison.Ordinal));
        wait.Until(d => d.FindElements(button).Count == 0);
    }

    [Fact]
    public async Task CancelJob_ThroughTheApiAndTheQueuePage_StopsALongRunningJob_IntoRejected_AndBadInputChangesNothing()
    {
        const string queue = "act-jobs";
        var q = Grains.GetGrain<IQueueGrain>(queue);
        await q.StartConsuming(10, Poll);
        await q.AddLongRunningConsumer("job", Grains.GetGrain<ISlowJobGrain>("act-jobs-1"));
        await q.Publish("first");
        await Eventually.True(async () => (await q.GetJobsInFlight()).SingleOrDefault()?.Progress is not null, "the first job reported progress", 15);
        var first = (await q.GetJobsInFlight()).Single().DeliveryId;

        foreach (var (path, status) in new[]
                 {
                     ($"cancel-job?name={queue}", HttpStatusCode.BadRequest),
                     ($"cancel-job?name={queue}&delivery=x", HttpStatusCode.BadRequest),
                     ($"cancel-job?name={queue}&delivery={first + 1000}", HttpStatusCode.NotFound),
                 })
        {
            using var response = await Post(path);
            Assert.True(response.StatusCode == status, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        using (var viewer = await Post($"cancel-job?name={queue}&delivery={first}", role: "viewer"))
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(0, await Db.ListLengthAsync(_keys.Rejected(queue)));
        Assert.Single(await q.GetJobsInFlight());

        using (var cancel = await Post($"cancel-job?name={queue}&delivery={first}"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
            Assert.Contains($"job asked to stop (delivery {first})", await Message(cancel));
        }
        await Eventually.Equal(1L, () => Db.ListLengthAsync(_keys.Rejected(queue)), "rejected after the API's cancel", 15);

        // On the queue page: the job's row shows its progress; its cancel button asks first, then stops it.
        await q.Publish("second");
        await Eventually.True(async () => (await q.GetJobsInFlight()).SingleOrDefault()?.Progress is not null, "the second job reported progress", 15);
        var second = (await q.GetJobsInFlight()).Single().DeliveryId;
        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(_app.Urls.Single() + "/test-login?role=admin");
        browser.Driver.Navigate().GoToUrl(_app.Urls.Single() + $"/rmq/#/queue/{queue}");
        var wait = new WebDriverWait(browser.Driver, TimeSpan.FromSeconds(15));
        wait.Until(d => DashboardPage.Text(d, $"#jobs tr[data-job='{second}'] td.progress").Contains("working", StringComparison.Ordinal));
        var button = By.CssSelector($"[data-cancel-job='{second}']");
        wait.Until(d => ClickRedrawn(d, button));
        var confirm = wait.Until(Alert)!;
        Assert.Contains($"Cancel the job of delivery {second}", confirm.Text);
        confirm.Accept();
        await Eventually.Equal(2L, () => Db.ListLengthAsync(_keys.Rejected(queue)), "rejected after the page's cancel", 15);
        wait.Until(d => DashboardPage.Text(d, "#jobs tbody").Contains("No long-running job is in flight", StringComparison.Ordinal));
        await q.StopConsuming();
    }

    private async Task<HttpResponseMessage> Post(string path, string role = "admin")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/rmq/api/queue/" + path);
        request.Headers.Add("X-Test-User", "ann");
        request.Headers.Add("X-Test-Role", role);
        return await _http.SendAsync(request);
    }

    private static async Task<string> Message(HttpResponseMessage response, string property = "message") =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(property).GetString() ?? "";

    private static IReadOnlyCollection<string> Consumed(string consumer) =>
        AckingConsumerGrain.Consumed.TryGetValue(consumer, out var bag) ? bag : [];

    private static IAlert? Alert(IWebDriver driver) => DashboardPage.Alert(driver);

    /// <summary>
    /// Clicks an element of the connections table, which the page redraws every 2 s: an element found just before a
    /// redraw is gone by the click (stale), and the click is made on the new one.
    /// </summary>
    private static bool ClickRedrawn(IWebDriver driver, By element)
    {
        try
        {
            driver.FindElement(element).Click();
            return true;
        }
        catch (Exception e) when (e is StaleElementReferenceException or NoSuchElementException)
        {
            return false;
        }
    }
}
