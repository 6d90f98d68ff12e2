namespace Rmq.Hosting.Declaring;

/// <summary>
/// Declares one queue's consuming state in code: <c>silo.AddRmqQueue("orders", q => q.Prefetch(50).Consumer&lt;IOrderConsumer&gt;("worker", count: 4))</c>.
/// At silo start it is applied (<see cref="IQueueGrain.Declare"/>): the queue starts consuming, changed
/// settings are changed, new consumers are added and consumers no longer declared are removed.
/// </summary>
public sealed class RmqQueueBuilder
{
    /// <summary>The prefetch limit when none is declared.</summary>
    public const int DefaultPrefetch = 100;

    /// <summary>The poll interval when none is declared.</summary>
    public static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(100);

    private readonly List<Func<IGrainFactory, DeclaredConsumer>> _consumers = [];
    private int _prefetch = DefaultPrefetch;
    private TimeSpan _poll = DefaultPoll;
    private string? _pushQueue;
    private RetryPolicy? _retryPolicy;
    private FlowLimits _limits = new();
    private Func<IGrainFactory, GrainId>? _deadLetterHandler;
    private long _version;

    internal RmqQueueBuilder(string queue) => Queue = queue;

    /// <summary>The queue's name.</summary>
    public string Queue { get; }

    /// <summary>At most <paramref name="limit"/> deliveries prefetched at a time (default <see cref="DefaultPrefetch"/>); keep it above the number of consumers.</summary>
    public RmqQueueBuilder Prefetch(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _prefetch = limit;
        return this;
    }

    /// <summary>How long the queue waits before looking again after it found ready empty (default <see cref="DefaultPoll"/>; publishes wake it at once).</summary>
    public RmqQueueBuilder Poll(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _poll = interval;
        return this;
    }

    /// <summary>Where <see cref="DeliveryOutcome.Push"/> sends deliveries; not called: none (Push acts as Reject).</summary>
    public RmqQueueBuilder PushTo(string queue)
    {
        QueueNames.Validate(queue, nameof(queue));
        _pushQueue = queue;
        return this;
    }

    /// <summary>The queue's retry policy (<see cref="Rmq.RetryPolicy.Default"/> when called without one); not called: none.</summary>
    public RmqQueueBuilder RetryPolicy(RetryPolicy? policy = null)
    {
        policy ??= Rmq.RetryPolicy.Default;
        policy.Validate();
        _retryPolicy = policy;
        return this;
    }

    /// <summary>At most <paramref name="count"/> deliveries handed out in any window of <paramref name="per"/>, cluster-wide (<see cref="IQueueGrain.SetFlowLimits"/>); not called: no rate limit.</summary>
    public RmqQueueBuilder RateLimit(int count, TimeSpan per)
    {
        var limits = _limits with { Rate = new RateLimit(count, per) };
        limits.Validate();
        _limits = limits;
        return this;
    }

    /// <summary>At most <paramref name="max"/> deliveries inside consumer calls at once, across every consumer (<see cref="IQueueGrain.SetFlowLimits"/>); not called: one per consumer.</summary>
    public RmqQueueBuilder MaxConcurrency(int max)
    {
        var limits = _limits with { MaxConcurrency = max };
        limits.Validate();
        _limits = limits;
        return this;
    }

    /// <summary>The grain <typeparamref name="THandler"/> keyed <paramref name="key"/> is called for each dead letter (<see cref="IDeadLetterHandlerGrain"/>); not called: none.</summary>
    public RmqQueueBuilder OnDeadLetter<THandler>(string key) where THandler : IDeadLetterHandlerGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _deadLetterHandler = grains => grains.GetGrain<THandler>(key).GetGrainId();
        return this;
    }

    /// <summary>
    /// Orders this declaration against others during a rolling deploy (default 0): the queue does not
    /// apply a declaration whose version is lower than the one in force. Use your release number.
    /// </summary>
    public RmqQueueBuilder Version(long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        _version = version;
        return this;
    }

    /// <summary>
    /// <paramref name="count"/> consumers of one delivery at a time: the grains
    /// <typeparamref name="TConsumer"/> keyed <c>&lt;queue&gt;/&lt;tag&gt;/&lt;i&gt;</c>, registered as <c>&lt;tag&gt;-…</c>.
    /// </summary>
    public RmqQueueBuilder Consumer<TConsumer>(string tag, int count = 1) where TConsumer : IConsumerGrain, IGrainWithStringKey =>
        AddConsumers(tag, count, (grains, key) => new DeclaredConsumer(tag, grains.GetGrain<TConsumer>(key).GetGrainId(), 0, TimeSpan.Zero));

    /// <summary>
    /// <paramref name="count"/> consumers of jobs that may run longer than a grain call (<see cref="ILongRunningConsumerGrain"/>),
    /// one job at a time each, with their own <paramref name="limits"/> or the silo's. Grains keyed as for <see cref="Consumer{TConsumer}"/>.
    /// </summary>
    public RmqQueueBuilder LongRunningConsumer<TConsumer>(string tag, int count = 1, JobLimits? limits = null)
        where TConsumer : ILongRunningConsumerGrain, IGrainWithStringKey
    {
        limits?.EnsureValid();
        return AddConsumers(tag, count, (grains, key) => new DeclaredConsumer(tag, grains.GetGrain<TConsumer>(key).GetGrainId(), 0, TimeSpan.Zero, IsLongRunning: true, limits));
    }

    /// <summary>
    /// <paramref name="count"/> batch consumers: each receives up to <paramref name="batchSize"/> deliveries,
    /// a partial batch after <paramref name="batchTimeout"/>. Grains keyed as for <see cref="Consumer{TConsumer}"/>.
    /// </summary>
    public RmqQueueBuilder BatchConsumer<TConsumer>(string tag, int batchSize, TimeSpan batchTimeout, int count = 1)
        where TConsumer : IBatchConsumerGrain, IGrainWithStringKey
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(batchTimeout, TimeSpan.Zero);
        return AddConsumers(tag, count, (grains, key) => new DeclaredConsumer(tag, grains.GetGrain<TConsumer>(key).GetGrainId(), batchSize, batchTimeout));
    }

    private RmqQueueBuilder AddConsumers(string tag, int count, Func<IGrainFactory, string, DeclaredConsumer> consumer)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        for (var i = 0; i < count; i++)
        {
            var key = $"{Queue}/{tag}/{i}";
            _consumers.Add(grains => consumer(grains, key));
        }
        return this;
    }

    /// <summary>The declaration, with the consumers' grain ids resolved by <paramref name="grains"/>.</summary>
    internal QueueDeclaration Build(IGrainFactory grains) => new()
    {
        PrefetchLimit = _prefetch,
        PollInterval = _poll,
        PushQueue = _pushQueue,
        RetryPolicy = _retryPolicy,
        Limits = _limits.IsEmpty ? null : _limits,
        DeadLetterHandler = _deadLetterHandler?.Invoke(grains),
        Consumers = _consumers.Select(c => c(grains)).ToList(),
        Version = _version,
    };
}
