using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rmq.AspNetCore;

namespace Rmq.Host.Tests.AspNetCore;

/// <summary>
/// Rmq.AspNetCore in an application of its own, as a user embeds it: an ASP.NET Core app hosting an Rmq silo maps the
/// dashboard under <c>/rmq</c> behind its own authorization policy, and Rmq's health joins the app's health endpoint.
/// Pages, files, reads and actions all answer 401 without a user and 403 without the policy's role.
/// </summary>
public sealed class DashboardPackageTests : IAsyncLifetime
{
    private const string Queue = "pkg-orders";
    private RedisServer _redis = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = BuildApp(_redis.Endpoint, dashboard => dashboard.RequireAuthorization("rmq-admin"));
        await _app.StartAsync();
        // Redirects are the test's to see, not to follow.
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    internal static WebApplication BuildApp(string redis, Action<RouteGroupBuilder> protect)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePorts.Next()}");
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePorts.Next(), FreePorts.Next(), serviceId: "pkg", clusterId: "pkg")
            .AddRmq(o => o.RedisConnectionString = redis));
        builder.Services.AddAuthentication(HeaderAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("rmq-admin", p => p.RequireRole("admin"));
        builder.Services.AddRmqDashboard(o => o.ActionAccess = DashboardActionAccess.EndpointAuthorization);
        builder.Services.AddHealthChecks().AddRmq();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        protect(app.MapRmqDashboard("/rmq"));
        app.MapHealthChecks("/healthz", new HealthCheckOptions());
        return app;
    }

    /// <summary>The application's sign-in, as the browser meets it: cookies <see cref="HeaderAuthentication"/> reads.</summary>
    internal static void MapTestLogin(WebApplication app) =>
        app.MapGet("/test-login", (HttpContext context, string role) =>
        {
            context.Response.Cookies.Append("test-user", "ann");
            context.Response.Cookies.Append("test-role", role);
            return Results.Text($"signed in as ann ({role})");
        });

    private static HttpRequestMessage Request(HttpMethod method, string path, string? user, string? role)
    {
        var request = new HttpRequestMessage(method, path);
        if (user is not null) request.Headers.Add("X-Test-User", user);
        if (role is not null) request.Headers.Add("X-Test-Role", role);
        return request;
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, string? user = "ann", string? role = "admin") =>
        await _http.SendAsync(Request(method, path, user, role));

    [Theory]
    [InlineData("GET", "/rmq/")]
    [InlineData("GET", "/rmq/dashboard/app.js")]
    [InlineData("GET", "/rmq/api/overview")]
    [InlineData("GET", "/rmq/api/events")]
    [InlineData("GET", "/rmq/stats.json")]
    [InlineData("POST", "/rmq/api/queue/purge-ready?name=pkg-orders")]
    public async Task EveryDashboardEndpoint_RefusesAnonymousWith401_AndUsersWithoutThePolicyWith403(string method, string path)
    {
        using var anonymous = await Send(new HttpMethod(method), path, user: null, role: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var notAdmin = await Send(new HttpMethod(method), path, role: "reader");
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
    }

    [Fact]
    public async Task UnderThePrefix_ThePageLinksRelatively_ItsFilesAndApiAnswer_AndThePrefixRedirectsToItsSlash()
    {
        using var redirect = await Send(HttpMethod.Get, "/rmq");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("rmq/", redirect.Headers.Location!.OriginalString);   // relative: below whatever prefix a proxy adds

        using var page = await Send(HttpMethod.Get, "/rmq/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"dashboard/app.js\"></script>", html);
        Assert.DoesNotContain("src=\"/", html);
        Assert.DoesNotContain("href=\"/", html);
        Assert.DoesNotContain("Metrics</a>", html);   // no MetricsLink configured

        using var script = await Send(HttpMethod.Get, "/rmq/dashboard/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        // No absolute link to the dashboard's own endpoints in any quoting: they would leave the prefix.
        var absolute = new System.Text.RegularExpressions.Regex("""(['"`(])/(api|dashboard|stats)\b""");
        Assert.DoesNotMatch(absolute, await script.Content.ReadAsStringAsync());
        Assert.DoesNotMatch(absolute, html);
        using var missing = await Send(HttpMethod.Get, "/rmq/dashboard/index.html");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // Nothing of the dashboard is mapped outside its prefix.
        using var root = await Send(HttpMethod.Get, "/api/overview");
        Assert.Equal(HttpStatusCode.NotFound, root.StatusCode);
    }

    [Fact]
    public async Task AnAdmin_ReadsTheQueue_AndRunsAnAction_WhichChangesRedis()
    {
        var grains = _app.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IQueueGrain>(Queue).PublishBatch(["a", "b", "c"]);

        using var overview = await Send(HttpMethod.Get, "/rmq/api/overview");
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        var queues = (await overview.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queues");
        var row = queues.EnumerateArray().Single(q => q.GetProperty("name").GetString() == Queue);
        Assert.Equal(3, row.GetProperty("ready").GetInt64());

        using var stats = await Send(HttpMethod.Get, "/rmq/stats.json");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Contains(Queue, await stats.Content.ReadAsStringAsync());

        using var purge = await Send(HttpMethod.Post, $"/rmq/api/queue/purge-ready?name={Queue}");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal(3, (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("affected").GetInt64());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        Assert.Equal(0, await redis.GetDatabase().ListLengthAsync(new RedisKeys(KeyDialect.Classic).Ready(Queue)));
    }

    [Fact]
    public async Task RmqHealth_JoinsTheApplicationsHealthEndpoint()
    {
        await Eventually.True(async () =>
        {
            using var health = await _http.GetAsync("/healthz");
            return health.StatusCode == HttpStatusCode.OK && await health.Content.ReadAsStringAsync() == "Healthy";
        }, "/healthz answers Healthy", seconds: 20);

        // Redis gone: the application's health says so.
        await _redis.StopAsync();
        await Eventually.True(async () =>
        {
            using var health = await _http.GetAsync("/healthz");
            return health.StatusCode == HttpStatusCode.ServiceUnavailable && await health.Content.ReadAsStringAsync() == "Unhealthy";
        }, "/healthz answers Unhealthy without Redis", seconds: 30);
    }
}

/// <summary>Actions left to the application's authorization are refused while the application put none on the dashboard.</summary>
public sealed class DashboardWithoutAuthorizationTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = DashboardPackageTests.BuildApp(_redis.Endpoint, _ => { });
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task EndpointAuthorizationWithoutRequireAuthorization_RefusesActions_WithWhatToAdd_AndLeavesRedisAlone()
    {
        await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<IQueueGrain>("open").Publish("x");
        using var http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };

        using var page = await http.GetAsync("/rmq/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);   // reads are the application's to protect
        using var purge = await http.PostAsync("/rmq/api/queue/purge-ready?name=open", null);
        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Contains("RequireAuthorization", (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        Assert.Equal(1, await redis.GetDatabase().ListLengthAsync(new RedisKeys(KeyDialect.Classic).Ready("open")));
    }
}

/// <summary>AllowAnonymous around the dashboard skips the application's policy; actions must not follow it.</summary>
public sealed class DashboardAllowAnonymousTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = DashboardPackageTests.BuildApp(_redis.Endpoint, dashboard => dashboard.RequireAuthorization("rmq-admin").AllowAnonymous());
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task RequireAuthorizationUnderAllowAnonymous_RefusesAnonymousActions_AndLeavesRedisAlone()
    {
        await _app.Services.GetRequiredService<IGrainFactory>().GetGrain<IQueueGrain>("anon").Publish("x");
        using var http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };

        using var page = await http.GetAsync("/rmq/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);   // AllowAnonymous won: the policy did not run
        using var purge = await http.PostAsync("/rmq/api/queue/purge-ready?name=anon", null);
        Assert.Equal(HttpStatusCode.Forbidden, purge.StatusCode);
        Assert.Contains("AllowAnonymous", (await purge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        Assert.Equal(1, await redis.GetDatabase().ListLengthAsync(new RedisKeys(KeyDialect.Classic).Ready("anon")));
    }
}
