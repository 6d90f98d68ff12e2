namespace Rmq.AspNetCore;

/// <summary>Who decides whether a request may run a dashboard action (purge, return, pause, delete, requeue).</summary>
public enum DashboardActionAccess
{
    /// <summary>
    /// The zero-configuration rule of <c>Rmq.Silo</c> (the default): a request from loopback, or one that carries
    /// <see cref="RmqDashboardOptions.ApiKey"/> in the <c>X-Rmq-Api-Key</c> header.
    /// </summary>
    LoopbackOrApiKey,

    /// <summary>
    /// The application's own authorization: whoever passes the policy put on the mapped endpoints
    /// (<c>app.MapRmqDashboard("/rmq").RequireAuthorization("rmq-admin")</c>) may act. Actions are refused while
    /// the endpoints carry no authorization at all, so forgetting <c>RequireAuthorization</c> does not open them.
    /// </summary>
    EndpointAuthorization,
}

/// <summary>The dashboard's settings: who may act on queues, and how much history its charts keep.</summary>
public sealed class RmqDashboardOptions
{
    /// <summary>The configuration section <c>Rmq.Silo</c> binds: <c>Dashboard</c>.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Rmq-Api-Key";

    /// <summary>The shortest API key accepted.</summary>
    public const int MinApiKeyLength = 16;

    /// <summary>Default for <see cref="HistorySeconds"/>: ten minutes.</summary>
    public const int DefaultHistorySeconds = 600;

    /// <summary>Who may run actions (default <see cref="DashboardActionAccess.LoopbackOrApiKey"/>).</summary>
    public DashboardActionAccess ActionAccess { get; set; } = DashboardActionAccess.LoopbackOrApiKey;

    /// <summary>
    /// With <see cref="DashboardActionAccess.LoopbackOrApiKey"/>: the key that lets a request from another machine
    /// run actions, sent in the <c>X-Rmq-Api-Key</c> header. Unset (the default): actions are allowed from loopback
    /// only. At least 16 characters, no whitespace. Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// With <see cref="DashboardActionAccess.LoopbackOrApiKey"/>: whether requests from loopback may act without the
    /// key (default true). Set false when a reverse proxy on this machine forwards other people's requests: they
    /// would all come from loopback.
    /// </summary>
    public bool AllowLoopbackWithoutKey { get; set; } = true;

    /// <summary>How many seconds of one-second samples the dashboard's charts keep (default 600, 10 to 3600).</summary>
    public int HistorySeconds { get; set; } = DefaultHistorySeconds;

    /// <summary>
    /// Where the dashboard's header links "Metrics" to (for example <c>/metrics</c> when the application maps
    /// Prometheus's scraping endpoint there); null (the default): no link.
    /// </summary>
    public string? MetricsLink { get; set; }

    /// <summary>What is wrong with the options, in one sentence naming the setting (as <c>Dashboard:Key</c>), or null.</summary>
    public string? Problem()
    {
        if (ApiKey is { } key && (key.Length < MinApiKeyLength || key.Any(char.IsWhiteSpace)))
            return $"Dashboard:ApiKey has {key.Length} characters{(key.Any(char.IsWhiteSpace) ? " with whitespace" : "")}; it must be at least {MinApiKeyLength} characters without whitespace (for example the output of 'openssl rand -hex 24').";
        if (HistorySeconds is < 10 or > 3600)
            return $"Dashboard:HistorySeconds is {HistorySeconds}; it must be from 10 to 3600.";
        if (ActionAccess == DashboardActionAccess.LoopbackOrApiKey && !AllowLoopbackWithoutKey && string.IsNullOrEmpty(ApiKey))
            return "Dashboard:AllowLoopbackWithoutKey is false but Dashboard:ApiKey is not set; no request could run an action. Set Dashboard:ApiKey too.";
        if (!Enum.IsDefined(ActionAccess))
            return $"Dashboard:ActionAccess is {ActionAccess}; it must be LoopbackOrApiKey or EndpointAuthorization.";
        if (MetricsLink is { Length: 0 })
            return "Dashboard:MetricsLink is empty; leave it unset for no link, or give a path such as /metrics.";
        return null;
    }
}
