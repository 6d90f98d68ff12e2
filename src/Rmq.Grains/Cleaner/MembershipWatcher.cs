using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Rmq.Hosting;

namespace Rmq.Cleaner;

/// <summary>
/// Runs on every silo and keeps the cleaner going: on each membership change it asks for a pass, which
/// cleans a dead silo's connections at once; and every cleaner interval it pings the cleaner, which
/// re-activates it (and its timer) when the silo it lived on died — also when the pass requested at
/// the change failed because the cluster had not yet noticed the death.
/// </summary>
internal sealed partial class MembershipWatcher(
    IClusterMembershipService membership,
    IGrainFactory grains,
    IOptions<RmqOptions> options,
    ILogger<MembershipWatcher> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watching = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MembershipWatcher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.CleanerEnabled)
            _watching = Task.WhenAll(
                Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None),
                Task.Run(() => PingAsync(_stopping.Token), CancellationToken.None));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watching.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                LogMembership(snapshot.Version.Value);
                try
                {
                    await grains.GetGrain<ICleanerGrain>(0).Clean().ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogPokeFailed(e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanerInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await grains.GetGrain<ICleanerGrain>(0).Ping().ConfigureAwait(false);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogPokeFailed(e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Membership version {Version}: poking the cleaner")]
    private partial void LogMembership(long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Poking the cleaner failed ({ExceptionType}: {Error}); its timer and the next change try again")]
    private partial void LogPokeFailed(string exceptionType, string error);
}
