using Microsoft.Extensions.DependencyInjection;
using Rmq.Recurring;

namespace Rmq.Tests.Consumers;

/// <summary>Runs the "ensure next occurrence" step of recurring jobs in a loop on whatever silo it is activated on.</summary>
public interface IRecurringEnsureGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Ensures the queue's jobs again and again for <paramref name="duration"/>; returns how many times it did.
    /// With <paramref name="stall"/>, every other run pauses up to 1.5 s between its read and its writes, so
    /// its decisions are stale (the job moved on meanwhile) and must be refused.
    /// </summary>
    Task<int> EnsureFor(string queue, TimeSpan duration, bool stall);

    /// <summary>Starts one ensure and returns once it has read the queue's jobs; it then waits, stale, for <see cref="FinishStalledEnsure"/>.</summary>
    Task StartStalledEnsure(string queue);

    /// <summary>Lets the ensure started by <see cref="StartStalledEnsure"/> write its (by now stale) decisions; returns when it is done.</summary>
    Task FinishStalledEnsure();

    /// <summary>The silo this activation lives on.</summary>
    Task<string> Silo();
}

public sealed class RecurringEnsureGrain : Grain, IRecurringEnsureGrain
{
    private TaskCompletionSource? _release;
    private Task? _stalled;

    public async Task StartStalledEnsure(string queue)
    {
        var read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = release;
        var first = true;
        _stalled = ServiceProvider.GetRequiredService<RecurringJobs>().EnsureAsync(queue, async () =>
        {
            if (!first) return; // a retry after a refused write reads afresh and goes on at once
            first = false;
            read.SetResult();
            await release.Task;
        });
        await read.Task;
    }

    public async Task FinishStalledEnsure()
    {
        _release!.SetResult();
        await _stalled!;
    }

    public async Task<int> EnsureFor(string queue, TimeSpan duration, bool stall)
    {
        var jobs = ServiceProvider.GetRequiredService<RecurringJobs>();
        var until = DateTime.UtcNow + duration;
        var runs = 0;
        while (DateTime.UtcNow < until)
        {
            await jobs.EnsureAsync(queue, stall && runs % 2 == 1 ? () => Task.Delay(Random.Shared.Next(500, 1500)) : null);
            runs++;
            await Task.Delay(Random.Shared.Next(0, 5));
        }
        return runs;
    }

    public Task<string> Silo() => Task.FromResult(ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString());
}
