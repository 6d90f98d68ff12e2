namespace Rmq;

/// <summary>
/// What a long-running job (<see cref="ILongRunningConsumerGrain.Run"/>) gets besides its delivery: the token that
/// says when to stop, and a way to report progress. The lease itself is kept by the consumer's silo.
/// </summary>
[GenerateSerializer]
public sealed class JobContext
{
    /// <summary>The Orleans response timeout of <see cref="ILongRunningConsumerGrain.Run"/>: above the longest <c>Rmq:JobMaxRunTime</c>, which ends a run first.</summary>
    public const string CallTimeoutText = "1.00:05:00";

    /// <summary>The longest <c>Rmq:JobMaxRunTime</c>: one day.</summary>
    public static readonly TimeSpan LongestMaxRunTime = TimeSpan.FromDays(1);

    // Set on the consumer's side only: never sent.
    [NonSerialized] private CancellationToken _token;
    [NonSerialized] private Func<JobCancelReason>? _reason;
    [NonSerialized] private volatile JobProgress? _progress;

    /// <summary>For the queue that hands the job out.</summary>
    public JobContext(string queue, long lease, TimeSpan leaseDuration, DateTime started, TimeSpan maxRunTime)
    {
        Queue = queue;
        Lease = lease;
        LeaseDuration = leaseDuration;
        Started = started;
        MaxRunTime = maxRunTime;
    }

    /// <summary>The queue the delivery came from.</summary>
    [Id(0)]
    public string Queue { get; }

    /// <summary>Names this run of the delivery: renewals and outcomes of any other run are stale and dropped.</summary>
    [Id(1)]
    public long Lease { get; }

    /// <summary>How long the queue waits for a renewal before it hands the delivery out again.</summary>
    [Id(2)]
    public TimeSpan LeaseDuration { get; }

    /// <summary>When the run started (UTC).</summary>
    [Id(3)]
    public DateTime Started { get; }

    /// <summary>How long the run may take before it is given up.</summary>
    [Id(4)]
    public TimeSpan MaxRunTime { get; }

    /// <summary>Fires when the job should stop: see <see cref="CancelReason"/> for why.</summary>
    public CancellationToken CancellationToken => _token;

    /// <summary>Why <see cref="CancellationToken"/> fired, or <see cref="JobCancelReason.None"/>.</summary>
    public JobCancelReason CancelReason => _reason?.Invoke() ?? JobCancelReason.None;

    /// <summary>The progress last reported, or null.</summary>
    public JobProgress? Progress => _progress;

    /// <summary>
    /// Says how far the job is (0–100, or null) and/or what it is doing (cut to <see cref="JobProgress.MaxTextLength"/>
    /// characters). Cheap: kept here and sent with the next lease renewal (at least twice a second).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The percent is not between 0 and 100.</exception>
    public void ReportProgress(double? percent, string? text = null)
    {
        if (percent is { } p && (double.IsNaN(p) || p < 0 || p > 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "The percent of a job's progress must be between 0 and 100.");
        if (text is { Length: > JobProgress.MaxTextLength }) text = text[..JobProgress.MaxTextLength];
        _progress = new JobProgress(percent, text);
    }

    /// <summary>Connects the context to the consumer's silo, which keeps the lease (Rmq's call filter; not for application code).</summary>
    public void Attach(CancellationToken token, Func<JobCancelReason> reason)
    {
        _token = token;
        _reason = reason;
    }

    /// <summary>
    /// How often the consumer's silo renews the lease: a third of it, at least twice a second — the queue's requests to
    /// stop travel back with the renewals, so the token fires within half a second and a round trip of the request.
    /// </summary>
    public TimeSpan RenewalInterval => TimeSpan.FromTicks(Math.Min(LeaseDuration.Ticks / 3, TimeSpan.TicksPerSecond / 2));
}
