using System.IO.Compression;
using System.Net;
using System.Xml.Linq;
using OpenQA.Selenium;
using Rmq.Publishing;

namespace Rmq.Host.Tests.Packaging;

/// <summary>
/// docs/getting-started.md ("Getting started from NuGet"), run as written: packs the packages, makes a fresh silo app and
/// producer outside the repository from those packages only (and nuget.org for their dependencies), runs
/// them against a real redis-server and sees every delivery consumed.
/// </summary>
public sealed class PackagingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Packages = ["Rmq.Grains.Interfaces", "Rmq.Redis", "Rmq.Client", "Rmq.Grains", "Rmq.AspNetCore", "Rmq.Cli"];
    private const string Version = "0.1.0";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("rmq-packaging-");
    private readonly List<DotnetProcess> _running = [];
    private RedisServer? _redis;

    // HOME of every command: "~/rmq-packages" and "~/hello-rmq" are in the test's own folder, outside the repository.
    private string Home => Path.Combine(_temp.FullName, "home");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _running) await process.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        // Directory.Delete does not recurse through symbolic links: the fallback folder's links go, the machine's packages stay.
        try { _temp.Delete(recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task GettingStartedFromNuGet_AsWritten_PacksAFreshSiloAndProducer_AndConsumesEveryDelivery()
    {
        var section = DocsSection.Read("docs/getting-started.md");
        var bash = section.Blocks.Where(b => b.Language == "bash").ToList();
        var files = section.Blocks.Where(b => b.FileName is not null).ToList();
        Assert.Equal(6, bash.Count);
        Assert.Equal(["HelloSilo/Program.cs", "HelloProducer/Program.cs", "HelloDashboard/Program.cs"], files.Select(f => f.FileName));

        // 1. Pack, at the repository root, with the machine's packages folder (the repository's obj/ keeps pointing there).
        var packBlock = bash[0];
        Assert.Contains("dotnet pack", packBlock.Code);
        await Bash(packBlock.Code, RepoPaths.Root, MachinePackagesFolder, seconds: 300);
        var packageFolder = Path.Combine(Home, "rmq-packages");
        foreach (var id in Packages) CheckPackage(Path.Combine(packageFolder, $"{id}.{Version}.nupkg"), id);

        // 2. The fresh projects restore into a packages folder of their own: no Rmq package from an earlier run (or
        // from anyone's ~/.nuget/packages) can stand in for the ones just packed. Everything else comes from the machine's
        // folder as a read-only fallback (a nuget.config above ~/hello-rmq), so nuget.org is asked only for what is missing.
        WriteFallbackConfig();
        var freshPackages = Path.Combine(_temp.FullName, "nuget-packages");
        await Bash(bash[1].Code, Home, freshPackages, seconds: 240);
        var work = Path.Combine(Home, "hello-rmq");
        foreach (var file in files.Take(2)) await File.WriteAllTextAsync(Path.Combine(work, file.FileName!), file.Code);
        Assert.Contains("rmq-local", await File.ReadAllTextAsync(Path.Combine(work, "nuget.config")));

        // 3. Run: the silo, then the producer, as the page's two terminals; a private Redis and free ports instead of the defaults.
        var run = DocsSection.CommandLines(bash[2]).ToList();
        Assert.Equal(["dotnet run --project HelloSilo", "dotnet run --project HelloProducer"], run);
        _redis = await RedisServer.StartAsync();
        var gatewayPort = FreePorts.Next().ToString();
        var environment = new Dictionary<string, string> { ["HOME"] = Home, ["NUGET_PACKAGES"] = freshPackages };
        var silo = Start(run[0], ["--Redis", _redis.Endpoint, "--SiloPort", FreePorts.Next().ToString(), "--GatewayPort", gatewayPort], work, environment);
        await silo.WaitForOutputAsync("HelloSilo: consuming the queue 'hello'", seconds: 120);
        var producer = Start(run[1], ["--GatewayPort", gatewayPort], work, environment);
        await producer.WaitForExitAsync(seconds: 120);
        Assert.True(producer.ExitCode == 0, $"the producer exited with {producer.ExitCode}:\n{producer.Output.All}");
        Assert.Contains("HelloProducer: published 10 deliveries to the queue 'hello'", producer.Output.StdOut);

        for (var i = 1; i <= 10; i++)
        {
            var line = $"consumed: hello {i}";
            await silo.WaitForOutputAsync(line, seconds: 30);
        }
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        var db = multiplexer.GetDatabase();
        var keys = new RedisKeys(KeyDialect.Classic);
        Assert.Equal(0, await db.ListLengthAsync(keys.Ready("hello")));
        await Eventually.True(async () =>
        {
            long unacked = 0;
            foreach (var connection in await db.SetMembersAsync(RedisKeys.Connections))
                unacked += await db.ListLengthAsync(keys.Unacked(connection!, "hello"));
            return unacked == 0;
        }, "unacked deliveries of 'hello'", seconds: 10);
        Assert.Equal(0, await db.ListLengthAsync(keys.Rejected("hello")));

        // 4. The rmq tool from the same folder, against the running silo.
        var tool = DocsSection.CommandLines(bash[3]).ToList();
        Assert.Equal(["dotnet tool install --global Rmq.Cli --add-source ~/rmq-packages", "rmq stats"], tool);
        await Bash(tool[0], work, freshPackages, seconds: 120);
        var rmq = Path.Combine(Home, ".dotnet", "tools", "rmq");
        var stats = await DotnetProcess.RunAsync(rmq, ["--gateway-port", gatewayPort, .. tool[1].Split(' ')[1..]], work, environment, seconds: 60);
        Assert.Contains("hello", stats);
        output.WriteLine(stats);
        output.WriteLine(silo.Output.StdOut);

        // 5. The dashboard in a web silo of its own, from the same packages, behind its policy.
        await Bash(bash[4].Code, work, freshPackages, seconds: 180);
        await File.WriteAllTextAsync(Path.Combine(work, files[2].FileName!), files[2].Code);
        var dashboardRun = DocsSection.CommandLines(bash[5]).ToList();
        Assert.Equal(["dotnet run --project HelloDashboard"], dashboardRun);
        var url = $"http://127.0.0.1:{FreePorts.Next()}";
        var web = Start(dashboardRun[0],
            ["--Redis", _redis.Endpoint, "--SiloPort", FreePorts.Next().ToString(), "--GatewayPort", FreePorts.Next().ToString(), "--urls", url],
            work, environment);
        await web.WaitForOutputAsync($"HelloDashboard: the dashboard is at {url}/rmq/", seconds: 180);
        await DashboardRefusedWithoutThePolicy_AndLiveWithIt(url);
    }

    /// <summary>
    /// HelloDashboard in headless Chromium: without signing in and signed in without the role, no dashboard (the
    /// cookie scheme sends the browser to its login and access-denied paths, which the app does not have); with the
    /// role, a queue's ready count changes without a reload while <see cref="RmqPublisher"/> publishes to it.
    /// </summary>
    private async Task DashboardRefusedWithoutThePolicy_AndLiveWithIt(string url)
    {
        const string queue = "hello-live";
        await using var publisher = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = _redis!.Endpoint);
        var producer = publisher.Queue(queue);
        await producer.PublishBatch(["1", "2", "3"]);

        using var browser = new HeadlessChromium();
        browser.Driver.Navigate().GoToUrl(url + "/rmq/");
        Assert.Contains("/Account/Login", browser.Driver.Url);
        Assert.Empty(browser.Driver.FindElements(By.Id("view")));
        // The API too: a script of another origin or a curl without the cookie gets no JSON.
        using (var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        {
            using var anonymous = await http.GetAsync(url + "/rmq/api/overview");
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString());
            using var purge = await http.PostAsync(url + $"/rmq/api/queue/purge-ready?name={queue}", null);
            Assert.Equal(HttpStatusCode.Redirect, purge.StatusCode);
            Assert.Contains("/Account/Login", purge.Headers.Location!.ToString());
        }

        browser.Driver.Navigate().GoToUrl(url + "/dev-login?role=reader");
        browser.Driver.Navigate().GoToUrl(url + "/rmq/");
        Assert.Contains("/Account/AccessDenied", browser.Driver.Url);
        Assert.Empty(browser.Driver.FindElements(By.Id("view")));

        browser.Driver.Navigate().GoToUrl(url + "/dev-login?role=ops");
        browser.Driver.Navigate().GoToUrl(url + "/rmq/");
        Assert.EndsWith("/rmq/", browser.Driver.Url);
        await Eventually.Equal("3", () => Task.FromResult(DashboardPage.QueueCell(browser, queue, "ready")), "the ready count of hello-live under /rmq", seconds: 30);
        browser.Driver.ExecuteScript("window.__noReload = 42;");
        await DashboardPage.WhilePublishingAsync(i => producer.Publish($"p{i}"), async () =>
        {
            await DashboardPage.ReadyCountsChange(browser, queue, 3, "three different ready counts above 3 while RmqPublisher publishes");
            Assert.Equal(42L, browser.Driver.ExecuteScript("return window.__noReload;"));
        });
        // Nothing consumes hello-live: what Redis holds is what was published, and the page showed it.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis!.Endpoint);
        Assert.True(await redis.GetDatabase().ListLengthAsync(new RedisKeys(KeyDialect.Classic).Ready(queue)) > 3);
    }

    /// <summary>What every package must carry: its README, the MIT expression, the shared version, XML docs beside each library.</summary>
    private static void CheckPackage(string path, string id)
    {
        Assert.True(File.Exists(path), $"{path} was not packed");
        using var zip = ZipFile.OpenRead(path);
        var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName == $"{id}.nuspec").Open());
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
        if (id == "Rmq.Cli")
        {
            Assert.Equal("DotnetTool", metadata.Element(ns + "packageTypes")!.Element(ns + "packageType")!.Attribute("name")!.Value);
            Assert.Contains(zip.Entries, e => e.FullName.StartsWith("tools/net10.0/any/rmq.dll", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.dll");
            Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.xml");
        }
        Assert.True(File.Exists(Path.ChangeExtension(path, ".snupkg")), $"{id}: no symbol package");
    }

    private static string MachinePackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>
    /// <c>~/NuGet.Config</c> (applies to <c>~/hello-rmq</c> below it, not to the repository): the machine's packages
    /// as a fallback folder, through links that leave out every <c>rmq.*</c> package.
    /// </summary>
    private void WriteFallbackConfig()
    {
        var fallback = Directory.CreateDirectory(Path.Combine(_temp.FullName, "fallback-packages"));
        if (Directory.Exists(MachinePackagesFolder))
            foreach (var package in Directory.EnumerateDirectories(MachinePackagesFolder))
                if (!Path.GetFileName(package).StartsWith("rmq.", StringComparison.OrdinalIgnoreCase))
                    File.CreateSymbolicLink(Path.Combine(fallback.FullName, Path.GetFileName(package)), package);
        File.WriteAllText(Path.Combine(Home, "NuGet.Config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <fallbackPackageFolders>
                <add key="machine" value="{fallback.FullName}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    private async Task Bash(string script, string workingDirectory, string packagesFolder, double seconds)
    {
        var started = DateTime.UtcNow;
        var environment = new Dictionary<string, string> { ["HOME"] = Home, ["NUGET_PACKAGES"] = packagesFolder };
        var printed = await DotnetProcess.RunAsync("bash", ["-euo", "pipefail", "-c", script], workingDirectory, environment, seconds);
        output.WriteLine($"$ {script.Trim()}\n({(DateTime.UtcNow - started).TotalSeconds:F1} s)\n{Tail(printed)}");
        // TreatWarningsAsErrors covers the compiler and NuGet, not the warnings of MSBuild tasks (pack, SourceLink): those are checked here.
        Assert.False(printed.Contains(": warning ", StringComparison.Ordinal), $"'{script.Trim()}' printed warnings:\n{printed}");
    }

    private DotnetProcess Start(string commandLine, string[] appArgs, string workingDirectory, Dictionary<string, string> environment)
    {
        var words = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("dotnet", words[0]);
        var process = DotnetProcess.Start("dotnet", [.. words[1..], "--", .. appArgs], workingDirectory, environment);
        _running.Add(process);
        return process;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];
}
