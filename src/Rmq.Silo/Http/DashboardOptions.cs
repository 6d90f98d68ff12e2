using Microsoft.Extensions.Configuration;
using Rmq.Silo.Hosting;

namespace Rmq.Silo.Http;

/// <summary>The <c>Dashboard</c> section: who may act on queues from the dashboard, and how much history it keeps.</summary>
internal sealed class DashboardOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Rmq-Api-Key";

    /// <summary>The shortest API key accepted.</summary>
    public const int MinApiKeyLength = 16;

    /// <summary>Default for <see cref="HistorySeconds"/>: ten minutes.</summary>
    public const int DefaultHistorySeconds = 600;

    /// <summary>
    /// The key that lets a request from another machine run actions (purge, return, pause, delete, requeue),
    /// sent in the <c>X-Rmq-Api-Key</c> header. Unset (the default): actions are allowed from loopback only.
    /// At least 16 characters, no whitespace. Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Whether requests from loopback may act without the key (default true). Set false when a reverse
    /// proxy on this machine forwards other people's requests: they would all come from loopback.
    /// </summary>
    public bool AllowLoopbackWithoutKey { get; set; } = true;

    /// <summary>How many seconds of one-second samples the dashboard's charts keep (default 600, 10 to 3600).</summary>
    public int HistorySeconds { get; set; } = DefaultHistorySeconds;

    /// <summary>Reads and checks the section; throws <see cref="SettingsException"/> naming the wrong key.</summary>
    public static DashboardOptions Load(IConfiguration configuration)
    {
        var options = new DashboardOptions();
        try
        {
            configuration.GetSection(SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException($"Invalid setting: {e.Message}");
        }
        if (Problem(options) is { } problem) throw new SettingsException(problem);
        return options;
    }

    /// <summary>What is wrong with the options, in one sentence naming the key, or null.</summary>
    public static string? Problem(DashboardOptions o)
    {
        if (o.ApiKey is { } key && (key.Length < MinApiKeyLength || key.Any(char.IsWhiteSpace)))
            return $"Dashboard:ApiKey has {key.Length} characters{(key.Any(char.IsWhiteSpace) ? " with whitespace" : "")}; it must be at least {MinApiKeyLength} characters without whitespace (for example the output of 'openssl rand -hex 24').";
        if (o.HistorySeconds is < 10 or > 3600)
            return $"Dashboard:HistorySeconds is {o.HistorySeconds}; it must be from 10 to 3600.";
        if (!o.AllowLoopbackWithoutKey && string.IsNullOrEmpty(o.ApiKey))
            return "Dashboard:AllowLoopbackWithoutKey is false but Dashboard:ApiKey is not set; no request could run an action. Set Dashboard:ApiKey too.";
        return null;
    }
}
