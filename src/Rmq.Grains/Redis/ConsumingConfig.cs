namespace Rmq.Redis;

/// <summary>A queue's persisted consuming configuration (Rmq-only keys).</summary>
/// <param name="PrefetchLimit">Set while the queue is configured as consuming.</param>
/// <param name="PollInterval">The poll interval given to StartConsuming.</param>
/// <param name="PushQueue">The push queue, or null.</param>
/// <param name="Consumers">Consumer name → encoded registration.</param>
/// <param name="Paused">Pause was called and neither Resume nor StopConsuming since.</param>
/// <param name="RetryPolicy">The retry policy, or null.</param>
/// <param name="RetryPolicyUnreadable">A retry policy is stored but cannot be read (written by a newer Rmq, or by hand).</param>
/// <param name="Limits">The flow limits, or null.</param>
/// <param name="LimitsUnreadable">Flow limits are stored but cannot be read.</param>
/// <param name="DeadLetterHandler">The grain called for each dead letter, or null.</param>
/// <param name="DeadLetterHandlerUnreadable">A dead-letter handler is stored but is not a grain id.</param>
internal sealed record ConsumingConfig(
    int? PrefetchLimit,
    TimeSpan PollInterval,
    string? PushQueue,
    IReadOnlyList<KeyValuePair<string, string>> Consumers,
    bool Paused,
    RetryPolicy? RetryPolicy = null,
    bool RetryPolicyUnreadable = false,
    FlowLimits? Limits = null,
    bool LimitsUnreadable = false,
    GrainId? DeadLetterHandler = null,
    bool DeadLetterHandlerUnreadable = false);
