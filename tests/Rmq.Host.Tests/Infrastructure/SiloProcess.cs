using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// A real <c>Rmq.Silo</c> process on free loopback ports. Ready means <c>/health</c> says healthy:
/// Redis answers and the silo is Active in the membership (not merely that it printed a banner).
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;

    private SiloProcess(Process process, ProcessOutput output, string name, int siloPort, int gatewayPort, int httpPort)
    {
        _process = process;
        Output = output;
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        HttpPort = httpPort;
        ChildProcesses.Track(process);
    }

    public ProcessOutput Output { get; }
    public string Name { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public int HttpPort { get; }
    public int Pid => _process.Id;
    public Uri BaseUrl => new($"http://127.0.0.1:{HttpPort}/");
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts a silo named <paramref name="name"/> against <paramref name="redisEndpoint"/>; more settings as <c>--Key value</c> pairs.</summary>
    public static SiloProcess Start(string name, string redisEndpoint, params string[] settings)
    {
        var siloPort = FreePorts.Next();
        var gatewayPort = FreePorts.Next();
        var httpPort = FreePorts.Next();
        var args = new List<string>
        {
            "--Rmq:RedisConnectionString", redisEndpoint,
            "--Rmq:EmbeddedRedis", "false",
            "--Silo:Name", name,
            "--Silo:SiloPort", siloPort.ToString(),
            "--Silo:GatewayPort", gatewayPort.ToString(),
            "--urls", $"http://127.0.0.1:{httpPort}",
        };
        args.AddRange(settings);
        var (process, output) = Launch(RepoPaths.SiloDll, args);
        return new SiloProcess(process, output, name, siloPort, gatewayPort, httpPort);
    }

    /// <summary>Starts <c>dotnet dll args</c> with output captured; the caller owns the process.</summary>
    public static (Process Process, ProcessOutput Output) Launch(string dll, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Child processes must not inherit the test host's settings for ASP.NET or .NET diagnostics.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;
        var output = new ProcessOutput();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start");
        output.Attach(process);
        return (process, output);
    }

    /// <summary>Waits until <c>/health</c> is healthy and the silo sees <paramref name="activeSilos"/> active silos.</summary>
    public async Task WaitHealthyAsync(int activeSilos = 1, double seconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        Health? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"silo {Name} exited with code {_process.ExitCode} before it was healthy:\n{Output.All}");
            last = await GetHealthAsync();
            if (last is { Status: "healthy" } && last.ActiveSilos >= activeSilos) return;
            await Task.Delay(200);
        }
        throw new TimeoutException($"silo {Name} was not healthy with {activeSilos} active silos within {seconds} s (last: {last}):\n{Output.All}");
    }

    public async Task<Health?> GetHealthAsync()
    {
        try
        {
            using var response = await Http.GetAsync(new Uri(BaseUrl, "health"));
            return await response.Content.ReadFromJsonAsync<Health>(JsonOptions);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public Task<string> GetStringAsync(string pathAndQuery) => Http.GetStringAsync(new Uri(BaseUrl, pathAndQuery));

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery) => Http.GetAsync(new Uri(BaseUrl, pathAndQuery));

    /// <summary><c>kill -9</c>: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync(double seconds = 60)
    {
        Signals.Terminate(_process.Id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        ChildProcesses.Forget(_process);
        await KillAsync();
        _process.Dispose();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public sealed record Health(
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("redis")] string Redis,
        [property: JsonPropertyName("silo")] string Silo,
        [property: JsonPropertyName("activeSilos")] int ActiveSilos);
}
