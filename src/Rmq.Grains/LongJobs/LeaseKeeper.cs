using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rmq.LongJobs;

/// <summary>
/// Around every call into a grain on this silo: for <see cref="ILongRunningConsumerGrain.Run"/>, keeps the job's
/// lease while it runs — a renewal to the queue every <see cref="JobContext.RenewalInterval"/>, from the thread pool
/// so a job that blocks its grain does not stop them, carrying the job's progress — and fires the job's token when
/// the queue answers that it should stop, or when this silo shuts down. A silo that dies renews nothing: that is
/// how the queue learns that the run is lost. Every other call passes straight through, without a state machine.
/// </summary>
internal sealed partial class LeaseKeeper(IGrainFactory grains, IHostApplicationLifetime lifetime, ILocalSiloDetails silo, ILogger<LeaseKeeper> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) =>
        context.Request.GetArgumentCount() == 2 && context.Request.GetArgument(1) is JobContext job ? RunAsync(context, job) : context.Invoke();

    private async Task RunAsync(IIncomingGrainCallContext context, JobContext job)
    {
        var reason = new JobCancelReasonBox();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        job.Attach(cancel.Token, () => reason.Value != JobCancelReason.None || !lifetime.ApplicationStopping.IsCancellationRequested ? reason.Value : JobCancelReason.Shutdown);
        using var renewing = new CancellationTokenSource();
        var renewals = Task.Run(() => RenewAsync(job, answer =>
        {
            if (reason.Value != JobCancelReason.None) return;
            reason.Value = answer;
            cancel.Cancel();
        }, renewing.Token));
        try
        {
            await context.Invoke();
        }
        catch (OperationCanceledException e) when (cancel.IsCancellationRequested && e is not JobCancelledException)
        {
            // The job honoured its token: tell the queue why, so it puts the delivery where the contract says.
            throw new JobCancelledException(job.CancelReason);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewals;
        }
    }

    private async Task RenewAsync(JobContext job, Action<JobCancelReason> stop, CancellationToken ended)
    {
        var queue = grains.GetGrain<IJobLeaseGrain>(job.Queue);
        RenewingSilo.Set(silo.SiloAddress);
        var interval = job.RenewalInterval;
        // A renewal may take up to a third of the lease (at most a second), longer than the interval between them on a
        // loaded silo; one that hangs still costs a third of the lease, never all of it. Ticks missed meanwhile coalesce.
        var timeout = TimeSpan.FromTicks(Math.Min(job.LeaseDuration.Ticks / 3, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ended))
            {
                try
                {
                    var answer = await queue.RenewLease(job.Lease, job.Progress).WaitAsync(timeout, ended);
                    if (answer != JobCancelReason.None) stop(answer);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ended.IsCancellationRequested)
                {
                    // The next tick tries again; if none gets through for a lease, the queue hands the job out again.
                    LogRenewalFailed(job.Queue, job.Lease, e);
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    /// <summary>Why the queue asked the run to stop; written by the renewal loop, read by the job through its context.</summary>
    private sealed class JobCancelReasonBox
    {
        private volatile int _value;

        public JobCancelReason Value
        {
            get => (JobCancelReason)_value;
            set => _value = (int)value;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: renewing the lease of job {Lease} failed; the next renewal tries again")]
    private partial void LogRenewalFailed(string queue, long lease, Exception exception);
}
