using System.Net;
using System.Text;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>
/// The stats overview in the layout of Go rmq's <c>Stats.GetHtml</c> (RMQ-SEMANTICS §7.2): a monospace
/// table with a row per queue, a grey row per consuming connection below it, and after a
/// <c>-----</c> row the connections that consume nothing. Unlike Go rmq, names are HTML-encoded and
/// the document is complete and UTF-8 (the ✓/✗ marks).
/// </summary>
internal static class StatsPage
{
    /// <summary>The value of <c>?layout=</c> that leaves out the connection rows.</summary>
    public const string Condensed = "condensed";

    public static string Render(StatsOverview stats, string? layout, int? refreshSeconds)
    {
        var condensed = layout == Condensed;
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Rmq queues</title>");
        if (refreshSeconds is { } refresh) html.Append($"<meta http-equiv=\"refresh\" content=\"{refresh}\">");
        html.Append("</head><body><table style=\"font-family:monospace\">");
        Row(html, null, "queue", "ready", "rejected", "", "connections", "unacked", "consumers");
        foreach (var queue in stats.Queues)
        {
            // The spacer column (✓/✗ in connection rows) says "paused" for a paused queue; the name stays as it is.
            Row(html, null, queue.Name, Count(queue.ReadyCount), Count(queue.RejectedCount), queue.Consuming?.Paused == true ? "paused" : "",
                Count(queue.Connections.Count), Count(queue.UnackedCount), Count(queue.ConsumerCount));
            if (condensed) continue;
            foreach (var connection in queue.Connections)
                Row(html, "connection", "", "", "", Sign(connection.Active), connection.Name, Count(connection.UnackedCount), Count(connection.ConsumerCount));
        }
        if (!condensed)
        {
            html.Append("<tr><td>-----</td></tr>");
            foreach (var connection in stats.OtherConnections)
                Row(html, "other-connection", "", "", "", Sign(connection.Active), connection.Name, "", "");
        }
        return html.Append("</table></body></html>").ToString();
    }

    /// <summary>Seven cells, each followed by an empty spacer cell, as Go rmq writes them.</summary>
    private static void Row(StringBuilder html, string? connectionClass, params string[] cells)
    {
        html.Append(connectionClass is null ? "<tr>" : $"<tr class=\"{connectionClass}\" style=\"color:lightgrey\">");
        foreach (var cell in cells) html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td><td></td>");
        html.Append("</tr>");
    }

    private static string Count(long n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Sign(bool active) => active ? "✓" : "✗";
}
