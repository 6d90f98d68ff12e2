using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>
/// The dashboard's own files: the page at the mapped path, its script, styles and uPlot under <c>dashboard/</c>,
/// embedded in this assembly (no CDN, works offline). The page links everything relatively, so it works under any
/// prefix; the prefix without its trailing slash is redirected to it (<c>/rmq</c> → <c>/rmq/</c>) so relative links
/// resolve below it.
/// </summary>
internal static class Dashboard
{
    private const string ResourcePrefix = "dashboard/";
    private static readonly Assembly Assembly = typeof(Dashboard).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    };

    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = Assembly.GetManifestResourceStream(ResourcePrefix + "index.html")
            ?? throw new InvalidOperationException("Rmq.AspNetCore was built without its dashboard page (dashboard/index.html)");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static IResult Index(HttpContext context, RmqDashboardOptions options)
    {
        var request = context.Request;
        var path = request.PathBase.Add(request.Path).Value ?? "/";
        // Relative ("rmq/"), so a proxy that strips a prefix of its own keeps the browser below it; escaped, so any
        // prefix makes a valid header.
        if (!path.EndsWith('/'))
            return Results.Redirect(Uri.EscapeDataString(path[(path.LastIndexOf('/') + 1)..]) + "/" + request.QueryString, permanent: false);
        var metrics = options.MetricsLink is { } link ? $"<a href=\"{WebUtility.HtmlEncode(link)}\">Metrics</a>" : "";
        return Results.Content(Page.Value.Replace("<!--rmq:metrics-->", metrics, StringComparison.Ordinal), ContentTypes[".html"]);
    }

    public static IResult File(string file)
    {
        var stream = file == "index.html" ? null : Assembly.GetManifestResourceStream(ResourcePrefix + file);
        if (stream is null || !ContentTypes.TryGetValue(Path.GetExtension(file), out var type))
        {
            stream?.Dispose();
            return Results.NotFound();
        }
        return Results.Stream(stream, type);
    }
}
