using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Rmq;

/// <summary>
/// A message to publish: its payload (text or bytes), its rmq headers and its <see cref="PublishOptions"/>.
/// Immutable: each fluent method returns a copy.
/// </summary>
/// <example><code>
/// var message = RmqMessage.Text("resize 42.png")
///     .WithHeader("tenant", "acme")
///     .Delayed(TimeSpan.FromMinutes(5))
///     .Unique("resize-42", TimeSpan.FromHours(1));
/// PublishResult result = await producer.Publish(message);
/// </code></example>
/// <remarks>
/// With headers the element in Redis is Go rmq's header format (<c>FF 00 BE BE 4A</c>, compact JSON, a line
/// feed, the payload); without, the payload itself. Either way a Go rmq consumer reads it.
/// </remarks>
[GenerateSerializer, Immutable]
public sealed record RmqMessage
{
    private static readonly IReadOnlyDictionary<string, string[]> NoHeaders = new Dictionary<string, string[]>(StringComparer.Ordinal);

    private RmqMessage(byte[] body)
    {
        Body = body;
        Headers = NoHeaders;
        Options = PublishOptions.None;
    }

    /// <summary>The payload's bytes (UTF-8 for a text message), without the header.</summary>
    [Id(0)] public byte[] Body { get; private init; }

    /// <summary>The rmq headers (Go rmq's <c>WithHeader</c>); empty when none.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string[]> Headers { get; private init; }

    /// <summary>How it is published: at once, delayed, at a time, deduplicated.</summary>
    [Id(2)] public PublishOptions Options { get; private init; }

    /// <summary>The payload decoded as UTF-8.</summary>
    public string Payload => Encoding.UTF8.GetString(Body);

    /// <summary>A message whose payload is <paramref name="payload"/> in UTF-8.</summary>
    public static RmqMessage Text(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return new RmqMessage(Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>A message whose payload is <paramref name="payload"/> as it is (not copied: do not change the array afterwards).</summary>
    public static RmqMessage Bytes(byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return new RmqMessage(payload);
    }

    /// <summary>A message whose payload is <paramref name="value"/> as UTF-8 JSON (<see cref="JsonSerializer"/>); read it back with <c>Delivery.GetJson&lt;T&gt;()</c>.</summary>
    public static RmqMessage Json<T>(T value, JsonSerializerOptions? options = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, options));

    /// <summary>A copy with the header <paramref name="key"/> set to <paramref name="values"/> (replacing that key's values).</summary>
    /// <exception cref="ArgumentException">The key is null or empty, or a value is null.</exception>
    public RmqMessage WithHeader(string key, params string[] values)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) >= 0) throw new ArgumentException($"Header '{key}' has a null value; header values must be strings.", nameof(values));
        var headers = new Dictionary<string, string[]>(Headers, StringComparer.Ordinal) { [key] = [.. values] };
        return this with { Headers = headers };
    }

    /// <summary>A copy with <paramref name="headers"/> set over the existing ones (a key given here replaces that key's values).</summary>
    public RmqMessage WithHeaders(IReadOnlyDictionary<string, string[]> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.Count == 0) return this;
        var merged = new Dictionary<string, string[]>(Headers, StringComparer.Ordinal);
        foreach (var (key, values) in headers)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(headers));
            merged[key] = values ?? throw new ArgumentException($"Header '{key}' has null values.", nameof(headers));
        }
        return this with { Headers = merged };
    }

    /// <summary>
    /// A copy carrying the job id <paramref name="id"/> (<see cref="JobIds"/>, the <c>rmq-job-id</c> header): stable across
    /// retries, redeliveries and returns, read by the consumer as <see cref="Delivery.JobId"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The id is empty, longer than <see cref="JobIds.MaxLength"/>, or holds spaces or control characters.</exception>
    public RmqMessage WithJobId(string id)
    {
        if (JobIds.Problem(id) is { } problem) throw new ArgumentException(problem, nameof(id));
        return WithHeader(JobIds.Header, id);
    }

    /// <summary>A copy carrying a new job id (<see cref="JobIds.New"/>); read it back from <see cref="JobId"/> to keep it.</summary>
    public RmqMessage WithNewJobId() => WithHeader(JobIds.Header, JobIds.New());

    /// <summary>The job id this message carries (<see cref="WithJobId"/>), or null.</summary>
    public string? JobId => Headers.TryGetValue(JobIds.Header, out var values) && values.Length > 0 ? values[0] : null;

    /// <summary>
    /// A copy carrying the W3C trace context (<c>traceparent</c>, <c>tracestate</c>) of
    /// <paramref name="activity"/>, or of <see cref="Activity.Current"/>; unchanged when there is none.
    /// A consumer continues the trace with <c>Delivery.StartConsumerActivity</c>.
    /// </summary>
    public RmqMessage WithTraceContext(Activity? activity = null)
    {
        activity ??= Activity.Current;
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C) return this;
        return this with { Headers = RmqTracing.WithTraceContext(Headers, activity) };
    }

    /// <summary>A copy that reaches ready after <paramref name="delay"/> on Redis's clock (replacing a due time set before).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The delay is negative or over <see cref="Scheduling.MaxDelay"/>.</exception>
    public RmqMessage Delayed(TimeSpan delay)
    {
        Scheduling.ValidateDelay(delay);
        return this with { Options = Options with { Delay = delay, DueAt = null } };
    }

    /// <summary>A copy that reaches ready at <paramref name="due"/> (replacing a delay set before); a time not in the future publishes at once.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The due time is more than <see cref="Scheduling.MaxDelay"/> from now.</exception>
    public RmqMessage At(DateTimeOffset due)
    {
        Scheduling.ValidateDue(due);
        return this with { Options = Options with { DueAt = due, Delay = null } };
    }

    /// <summary>
    /// A copy published only if no message with <paramref name="dedupKey"/> was published to the queue
    /// within <paramref name="window"/> — by either path, or another process: one atomic script takes the
    /// key and writes the message. Keys are per queue.
    /// </summary>
    /// <exception cref="ArgumentException">The key or the window is out of range (<see cref="Deduplication"/>).</exception>
    public RmqMessage Unique(string dedupKey, TimeSpan window)
    {
        Deduplication.Validate(dedupKey, window);
        return this with { Options = Options with { DedupKey = dedupKey, DedupWindow = window } };
    }

    /// <summary>A copy with these options (checked when published).</summary>
    public RmqMessage WithOptions(PublishOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return this with { Options = options };
    }
}
