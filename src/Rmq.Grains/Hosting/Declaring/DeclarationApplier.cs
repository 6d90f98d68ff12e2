using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace Rmq.Hosting.Declaring;

/// <summary>
/// Applies the silo's declared queues when the silo becomes active: one <see cref="IQueueGrain.Declare"/>
/// call per queue. A queue whose declaration cannot be applied (Redis unreachable, a bad setting) is
/// tried again in the background with backoff until it is, or the silo stops; the others go on.
/// One owner: it starts the retries and stops them when the silo stops.
/// </summary>
internal sealed partial class DeclarationApplier(DeclaredQueues declared, IGrainFactory grains, ILogger<DeclarationApplier> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _retries = [];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DeclarationApplier), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in declared.All)
        {
            if (await TryApplyAsync(queue)) continue;
            _retries.Add(RetryAsync(queue, _stopping.Token));
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_retries).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RetryAsync(RmqQueueBuilder queue, CancellationToken stopping)
    {
        var wait = FirstRetry;
        try
        {
            do
            {
                await Task.Delay(wait, stopping);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxRetry.Ticks));
            }
            while (!await TryApplyAsync(queue));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> TryApplyAsync(RmqQueueBuilder queue)
    {
        try
        {
            var declaration = queue.Build(grains);
            var outcome = await grains.GetGrain<IQueueGrain>(queue.Queue).Declare(declaration);
            if (outcome == DeclarationOutcome.Superseded) LogSuperseded(queue.Queue, declaration.Version);
            else LogApplied(queue.Queue, outcome, declaration.PrefetchLimit, declaration.Consumers.Count, declaration.Version);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(queue.Queue, e);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: declaration {Outcome} (prefetch {Prefetch}, {Consumers} consumers, version {Version})")]
    private partial void LogApplied(string queue, DeclarationOutcome outcome, int prefetch, int consumers, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: this silo's declaration (version {Version}) was not applied: a newer version is in force (a rolling deploy in progress?)")]
    private partial void LogSuperseded(string queue, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not apply the declaration; trying again")]
    private partial void LogFailed(string queue, Exception exception);
}
