using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime;
using Rmq.Diagnostics;
using Rmq.Hosting;
using Rmq.Queue.Publishing;
using Rmq.Recurring;
using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>
/// One queue, cluster-wide: a façade that checks the queue's name and routes each call to where its
/// concern lives — publishing to <see cref="Publishing.QueuePublishing"/>; the consuming lifecycle
/// (QueueGrain.Lifecycle.cs) and changes to a running queue (QueueGrain.Declaring.cs), which hand
/// consuming to a <see cref="ConsumingEngine"/>, the one owner of the queue's rmq connection; the
/// scheduler (QueueGrain.Scheduled.cs); recurring jobs (QueueGrain.Recurring.cs); administration
/// (QueueGrain.Administration.cs). This file holds activation and deactivation. Reentrant: no method holds
/// the grain across a Redis round trip; lifecycle changes (start, stop, add consumer, resume, declare)
/// take turns through one gate, so none can undo another.
/// </summary>
[Reentrant]
internal sealed partial class QueueGrain(
    RedisQueueStore store,
    IOptions<RmqOptions> options,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    RmqMetrics metrics,
    LocalQueueStatuses statuses,
    ILogger<QueueGrain> logger,
    RecurringJobs recurring) : Grain, IQueueGrain
{
    private const string NameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int MaxPushChain = 100;
    private static readonly TimeSpan DeactivationGrace = TimeSpan.FromSeconds(2);

    /// <summary>The longest poll interval and batch timeout: longer ones are surely mistakes, and would overflow date arithmetic.</summary>
    private static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    private readonly RmqOptions _options = options.Value;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private string _name = "";
    private string? _nameProblem;
    private QueuePublishing _publishing = null!;
    private string? _pushQueue;
    private RetryPolicy? _retryPolicy;
    private ConsumingEngine? _engine;
    private IGrainTimer? _resumeRetry;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();
        _nameProblem = QueueNames.Problem(_name);
        _publishing = new QueuePublishing(_name, store, _options.MaxPayloadBytes, metrics, () => _engine?.Wake(), ArmScheduler);
        if (_nameProblem is not null) return;
        await TryResumeAsync();
        // Scheduled deliveries are this activation's to move from now on (the cleaner is the safety net).
        StartScheduler();
    }

    /// <summary>Runs <paramref name="change"/> alone among the grain's lifecycle changes (StartConsuming, Stop, settings).</summary>
    private async Task ExclusiveAsync(Func<Task> change)
    {
        await _lifecycle.WaitAsync();
        try
        {
            await change();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        StopResumeRetry();
        // Scheduled deliveries stay in Redis; the next activation's scheduler, or the cleaner, moves them.
        // No new timer from here on (retries applied while the engine stops would arm one).
        _deactivating = true;
        // First, so that it calls no handler once the queue's connection is gone: what it has not finished waits in Redis.
        await StopNotifierAsync();
        _scheduler?.Dispose();
        _scheduler = null;
        // The configuration stays in Redis: the next activation, on any silo, resumes consuming.
        if (_engine is { } engine)
        {
            try
            {
                // A deactivating grain takes no calls, so long jobs cannot hear that it stops: released, not waited for.
                await engine.StopAsync(releaseJobs: true).WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Deactivation cannot wait longer for consumers: what they hold stays in unacked, the
                // heartbeat is deleted, and a cleaner returns it to ready.
                LogStopCut(_name, engine.Connection ?? "(none)");
                engine.Abandon();
                await engine.Completion.WaitAsync(DeactivationGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // Publishing: the component owns it (Publishing/QueuePublishing.cs); the grain checks the name and routes.
    public Task<PublishResult> Publish(RmqMessage message)
    {
        EnsureValidName();
        return _publishing.Publish(message);
    }

    public Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages)
    {
        EnsureValidName();
        return _publishing.PublishBatch(messages);
    }

    public Task Publish(string payload)
    {
        EnsureValidName();
        return _publishing.Publish(payload);
    }

    public Task PublishBytes(byte[] payload)
    {
        EnsureValidName();
        return _publishing.PublishBytes(payload);
    }

    public Task PublishBatch(IReadOnlyList<string> payloads)
    {
        EnsureValidName();
        return _publishing.PublishBatch(payloads);
    }

    public Task PublishBytesBatch(IReadOnlyList<byte[]> payloads)
    {
        EnsureValidName();
        return _publishing.PublishBytesBatch(payloads);
    }

    public Task<bool> CancelScheduled(string id)
    {
        EnsureValidName();
        return _publishing.CancelScheduled(id);
    }

    private void EnsureValidName()
    {
        if (_nameProblem is not null)
            throw new ArgumentException($"Invalid queue name: {_nameProblem}. Use GetGrain<IQueueGrain>(name) with a valid name.", "queueName");
    }

    private byte[] CheckSize(byte[] element, string parameter) => PayloadLimit.Check(element, _options.MaxPayloadBytes, parameter);

    private string SiloTag()
    {
        var name = silo.Name;
        var chars = name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-').ToArray();
        return chars.Length == 0 ? "silo" : new string(chars);
    }

    private static string RandomNameSuffix() => RandomNumberGenerator.GetString(NameAlphabet, 6);
}
