using System.Text;
using System.Text.Json;
using Rmq.Redis;

namespace Rmq.AspNetCore.Dashboard;

/// <summary>A queue's row on the dashboard's overview (<c>/api/overview</c>).</summary>
/// <param name="Name">The queue.</param>
/// <param name="Ready"><c>LLEN ready</c>.</param>
/// <param name="Unacked">Unacked over every connection, Go rmq's included.</param>
/// <param name="Rejected"><c>LLEN rejected</c>.</param>
/// <param name="Scheduled">Delayed deliveries not yet due.</param>
/// <param name="Consumers">Consumers over every connection.</param>
/// <param name="Connections">Registered connections consuming the queue.</param>
/// <param name="State">
/// <c>stalled</c>, <c>paused</c>, or the engine's state in lower case (<c>consuming</c>, <c>degraded</c>,
/// <c>recovering</c>, <c>opening</c>, <c>stopping</c>); <c>idle</c> when no Rmq engine consumes it here
/// (a Go rmq consumer may: see <paramref name="Connections"/>).
/// </param>
/// <param name="StalledReason">Why it is stalled, or null.</param>
/// <param name="Retried">Deliveries the retry policy scheduled again, ever (Redis-kept, every silo's).</param>
/// <param name="DeadLettered">Deliveries Rmq moved to rejected by itself, ever (Redis-kept, every silo's).</param>
/// <param name="Recurring">Recurring jobs of the queue (<c>HLEN rmq-recurring</c>).</param>
internal sealed record QueueSummary(string Name, long Ready, long Unacked, long Rejected, long Scheduled, long Consumers, long Connections,
    string State, string? StalledReason, long Retried, long DeadLettered, long Recurring)
{
    public static QueueSummary From(QueueOverview q) => new(q.Name, q.ReadyCount, q.UnackedCount, q.RejectedCount, q.ScheduledCount,
        q.ConsumerCount, q.Connections.Count, StateOf(q.Consuming), q.Consuming?.Stalled == true ? q.Consuming.StalledReason : null,
        q.RetriedCount, q.DeadLetteredCount, q.RecurringCount);

    private static string StateOf(ConsumingStatus? s) => s switch
    {
        null or { State: ConsumingState.NotConsuming } => "idle",
        { Stalled: true } => "stalled",
        { Paused: true } => "paused",
        _ => s.State.ToString().ToLowerInvariant(),
    };
}

/// <summary>One element of ready or rejected as the dashboard shows it.</summary>
/// <param name="Position">Its place in the order asked for (0 = newest, or oldest, as browsed), counting from the page's list end.</param>
/// <param name="Element">The raw element, base64: send it back to delete or requeue exactly this delivery.</param>
/// <param name="Size">The raw element's length in bytes.</param>
/// <param name="Kind"><c>text</c>, <c>json</c> (pretty-printed) or <c>binary</c> (hex).</param>
/// <param name="Payload">The payload (headers stripped) as text, pretty JSON or hex; cut at 16 KiB.</param>
/// <param name="Truncated">Whether <paramref name="Payload"/> was cut.</param>
/// <param name="Headers">The rmq headers, or null when it has none.</param>
/// <param name="HeaderError">Why the header does not decode (such deliveries are rejected at fetch), or null.</param>
internal sealed record DeliveryView(long Position, string Element, int Size, string Kind, string Payload, bool Truncated,
    IReadOnlyDictionary<string, string[]>? Headers, string? HeaderError)
{
    private const int MaxShown = 16 * 1024;
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static DeliveryView From(long position, byte[] element)
    {
        var ok = HeaderCodec.TryDecode(element, out var headers, out var payload, out var error);
        if (!ok) payload = element;
        var (kind, text) = Show(payload);
        var truncated = text.Length > MaxShown;
        return new DeliveryView(position, Convert.ToBase64String(element), element.Length, kind, truncated ? text[..MaxShown] : text, truncated,
            ok && headers.Count > 0 ? headers : null, error);
    }

    private static (string Kind, string Text) Show(byte[] payload)
    {
        string text;
        try { text = StrictUtf8.GetString(payload); }
        catch (DecoderFallbackException) { return ("binary", Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, MaxShown / 2)))); }
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            return ("binary", Convert.ToHexString(payload.AsSpan(0, Math.Min(payload.Length, MaxShown / 2))));
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            try
            {
                using var doc = JsonDocument.Parse(payload);
                return ("json", JsonSerializer.Serialize(doc.RootElement, Pretty));
            }
            catch (JsonException) { }
        }
        return ("text", text);
    }
}

/// <summary>A page of ready or rejected (<c>/api/queue/ready</c>, <c>/api/queue/rejected</c>).</summary>
internal sealed record BrowsePage(string Queue, string List, string Order, long Offset, int Count, long Total, IReadOnlyList<DeliveryView> Deliveries);

/// <summary>A connection on a queue's page.</summary>
/// <param name="Name">The rmq connection name.</param>
/// <param name="Silo">Its owner silo's address (Rmq's connections), or null (Go rmq's).</param>
/// <param name="Active">Heartbeat TTL above zero (Go rmq's rule).</param>
/// <param name="IsGoRmq">It has no owner silo: a Go rmq program's connection (or an Rmq one from before owners were kept).</param>
/// <param name="Unacked"><c>LLEN</c> of its unacked list for the queue.</param>
/// <param name="Consumers">Its consumer names for the queue.</param>
/// <param name="HeartbeatTtlSeconds">The heartbeat key's TTL in seconds; null when dead (missing or no expiry).</param>
/// <param name="HeartbeatAgeSeconds">Seconds since the last heartbeat, assuming it was set with <paramref name="HeartbeatTtlSeconds"/>' full TTL (Rmq:HeartbeatTtl for Rmq's connections, Go rmq's one minute for the others).</param>
internal sealed record ConnectionView(string Name, string? Silo, bool Active, bool IsGoRmq, double? HeartbeatTtlSeconds, double? HeartbeatAgeSeconds,
    long Unacked, IReadOnlyList<string> Consumers);

/// <summary>A queue's page (<c>/api/queue</c>).</summary>
internal sealed record QueueDetail(QueueSummary Summary, ConsumingStatus? Consuming, IReadOnlyList<ConnectionView> Connections);

/// <summary>A silo in <c>/api/cluster</c>.</summary>
internal sealed record SiloView(string Address, string Name, string Status, bool IsThisSilo, IReadOnlyList<string> Queues, IReadOnlyList<string> Connections);

/// <summary>The cluster view (<c>/api/cluster</c>).</summary>
/// <param name="Silos">Every silo in Orleans' membership (dead ones too, until the table forgets them), active first.</param>
/// <param name="GoRmqConnections">Registered connections no silo owns: Go rmq programs'.</param>
/// <param name="Cleaner">What the cleaner returned while it ran on this silo.</param>
/// <param name="CleanerNote">What <paramref name="Cleaner"/> does not say.</param>
/// <param name="LastPass">The cleaner's last pass, wherever it ran; null before its first one (or when it did not answer in time).</param>
internal sealed record ClusterView(IReadOnlyList<SiloView> Silos, IReadOnlyList<ConnectionView> GoRmqConnections, CleanerReturns Cleaner, string CleanerNote,
    CleanerPass? LastPass);

/// <summary>What an action did (<c>POST /api/queue/…</c>).</summary>
internal sealed record ActionResult(string Queue, string Action, long Affected, string Message);

/// <summary>The body of a refused or failed request.</summary>
internal sealed record ApiError(string Error);

/// <summary>The body of <c>POST /api/queue/delete</c> and <c>/api/queue/requeue</c>.</summary>
internal sealed record OneDelivery(string? List, string? Element);
