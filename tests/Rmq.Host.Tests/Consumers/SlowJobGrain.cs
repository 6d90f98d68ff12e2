namespace Rmq.Host.Tests.Consumers;

/// <summary>A long-running consumer that works for a minute, reporting "working n" every 100 ms, and stops when its token fires.</summary>
public interface ISlowJobGrain : ILongRunningConsumerGrain, IGrainWithStringKey;

public sealed class SlowJobGrain : Grain, ISlowJobGrain
{
    public async Task<DeliveryOutcome> Run(Delivery delivery, JobContext job)
    {
        for (var step = 1; step <= 600; step++)
        {
            job.ReportProgress(step / 6.0, $"working {step}");
            await Task.Delay(100, job.CancellationToken);
        }
        return DeliveryOutcome.Ack;
    }
}
