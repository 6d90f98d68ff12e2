using System.Collections.Concurrent;
using System.Globalization;

namespace Rmq.Tests.Consumers;

/// <summary>How one run of a <see cref="LongJobConsumerGrain"/> ended.</summary>
public enum JobEnd { Completed, Cancelled }

/// <summary>One run of a <see cref="LongJobConsumerGrain"/>: what it got, when it started, when its token fired (and why), how it ended.</summary>
public sealed class JobRun(string payload, int attempt, string consumer, string silo, long lease, DateTime started)
{
    /// <summary>The silo that ran it (the grain's runtime identity).</summary>
    public string Silo { get; } = silo;
    public long Lease { get; } = lease;
    public string Payload { get; } = payload;
    public int Attempt { get; } = attempt;
    public string Consumer { get; } = consumer;
    public DateTime Started { get; } = started;
    /// <summary>When the queue started the run (<see cref="JobContext.Started"/>, a little before the grain did): the maximum run time counts from it.</summary>
    public DateTime HeldSince { get; set; }
    public DateTime? CancelledAt { get; set; }
    public JobCancelReason CancelReason { get; set; }
    public JobEnd? End { get; set; }
    public DateTime? EndedAt { get; set; }
}

/// <summary>What <see cref="LongJobConsumerGrain"/>s ran, per queue, kept outside the silos (they run in this process).</summary>
public static class JobLog
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<JobRun>> Queues = new();

    public static void Record(string queue, JobRun run) => Queues.GetOrAdd(queue, _ => new()).Enqueue(run);

    public static IReadOnlyList<JobRun> Of(string queue) => Queues.TryGetValue(queue, out var log) ? log.ToArray() : [];
}

public interface ILongJobConsumerGrain : ILongRunningConsumerGrain, IGrainWithStringKey
{
    /// <summary>Activates the grain (where the caller's placement hint says), doing nothing else.</summary>
    Task Ping();
}

/// <summary>
/// Runs for as long as its payload says: <c>run-&lt;ms&gt;…</c> works that long, reporting progress every 100 ms
/// and stopping when its token fires; <c>ignore-&lt;ms&gt;…</c> works that long whatever the token says. Acks when
/// it is done. Each run is recorded in <see cref="JobLog"/>, with when and why its token fired.
/// </summary>
public sealed class LongJobConsumerGrain : Grain, ILongJobConsumerGrain
{
    public Task Ping() => Task.CompletedTask;

    public async Task<DeliveryOutcome> Run(Delivery delivery, JobContext job)
    {
        var payload = delivery.Payload;
        var run = new JobRun(payload, delivery.Attempt, this.GetPrimaryKeyString(), RuntimeIdentity, job.Lease, DateTime.UtcNow);
        run.HeldSince = job.Started;
        JobLog.Record(delivery.Queue, run);
        using var _ = job.CancellationToken.Register(() =>
        {
            run.CancelReason = job.CancelReason;
            run.CancelledAt = DateTime.UtcNow;
        });
        var honours = payload.StartsWith("run-", StringComparison.Ordinal);
        var duration = TimeSpan.FromMilliseconds(int.Parse(payload.Split('-')[1].Split(':')[0], CultureInfo.InvariantCulture));
        var step = 0;
        try
        {
            while (DateTime.UtcNow - run.Started < duration)
            {
                if (honours) job.CancellationToken.ThrowIfCancellationRequested();
                job.ReportProgress(Math.Min(100, 100 * (DateTime.UtcNow - run.Started) / duration), $"step {++step}");
                await Task.Delay(100, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            run.End = JobEnd.Cancelled;
            run.EndedAt = DateTime.UtcNow;
            throw;
        }
        run.End = JobEnd.Completed;
        run.EndedAt = DateTime.UtcNow;
        return DeliveryOutcome.Ack;
    }
}
