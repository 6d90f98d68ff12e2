using System.Diagnostics;

namespace Rmq;

/// <summary>
/// W3C trace context through queues: a publish carries the current trace in the rmq header
/// (<c>traceparent</c>, and <c>tracestate</c> when set), and a consumer continues that trace. Go rmq
/// programs see ordinary headers and can do the same.
/// </summary>
public static class RmqTracing
{
    /// <summary>The name of the <see cref="ActivitySource"/> that <see cref="PublishTraced"/> starts producer activities on.</summary>
    public const string ActivitySourceName = "Rmq.Client";

    /// <summary>The W3C <c>traceparent</c> header.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C <c>tracestate</c> header.</summary>
    public const string TraceStateHeader = "tracestate";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>
    /// Copies <paramref name="headers"/> and adds the trace context of <paramref name="activity"/>
    /// (default: <see cref="Activity.Current"/>). Without an activity the copy has no trace headers.
    /// </summary>
    public static Dictionary<string, string[]> WithTraceContext(IReadOnlyDictionary<string, string[]>? headers = null, Activity? activity = null)
    {
        var result = headers is null ? new Dictionary<string, string[]>(StringComparer.Ordinal) : new Dictionary<string, string[]>(headers, StringComparer.Ordinal);
        activity ??= Activity.Current;
        // Only W3C ids can be written as a traceparent; hierarchical ids have no W3C form.
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C) return result;
        result[TraceParentHeader] = [activity.Id!];
        if (!string.IsNullOrEmpty(activity.TraceStateString)) result[TraceStateHeader] = [activity.TraceStateString];
        else result.Remove(TraceStateHeader);
        return result;
    }

    /// <summary>
    /// Publishes <paramref name="message"/> with the current trace in its header, on either path. When
    /// something listens to <see cref="ActivitySourceName"/>, a producer activity <c>"&lt;queue&gt; publish"</c>
    /// is started as a child of the current one and its context is sent; otherwise the current activity's.
    /// </summary>
    public static async Task<PublishResult> PublishTraced(this IRmqProducer producer, RmqMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        ArgumentNullException.ThrowIfNull(message);
        using var activity = Source.StartActivity($"{producer.QueueName} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "rmq");
        activity?.SetTag("messaging.destination.name", producer.QueueName);
        return await producer.Publish(message.WithTraceContext(activity), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The trace context the publisher sent, when the delivery has a valid <c>traceparent</c>.</summary>
    public static bool TryGetTraceContext(this Delivery delivery, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        context = default;
        var parent = delivery.GetHeader(TraceParentHeader);
        return parent is not null && ActivityContext.TryParse(parent, delivery.GetHeader(TraceStateHeader), isRemote: true, out context);
    }

    /// <summary>
    /// Starts a consumer activity on <paramref name="source"/> that continues the publisher's trace
    /// (its parent is the <c>traceparent</c> of the delivery; a new trace when there is none). Returns
    /// <c>null</c> when nothing listens to <paramref name="source"/>. Dispose it when the delivery is done.
    /// </summary>
    public static Activity? StartConsumerActivity(this Delivery delivery, ActivitySource source, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(source);
        delivery.TryGetTraceContext(out var parent);
        var activity = source.StartActivity(name ?? $"{delivery.Queue} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "rmq");
        activity?.SetTag("messaging.destination.name", delivery.Queue);
        return activity;
    }
}
