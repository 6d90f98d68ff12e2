using System.Globalization;
using Orleans.Runtime;
using Rmq.Demo;

namespace Rmq.Silo.Demo;

internal sealed class DemoJobGrain(ILocalSiloDetails silo) : Grain, IDemoJobGrain
{
    public Task<string> GetSiloName() => Task.FromResult(silo.Name);

    public async Task<DeliveryOutcome> Run(Delivery delivery, JobContext job)
    {
        var payload = delivery.Payload;
        var ms = int.TryParse(payload.Split(':')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1000;
        var started = DateTime.UtcNow;
        var duration = TimeSpan.FromMilliseconds(ms);
        while (DateTime.UtcNow - started < duration)
        {
            var done = (DateTime.UtcNow - started) / duration;
            job.ReportProgress(Math.Round(100 * Math.Min(1, done), 1), $"{(DateTime.UtcNow - started).TotalSeconds:F1} s of {duration.TotalSeconds:F1} s");
            await Task.Delay(100, job.CancellationToken);
        }
        return DeliveryOutcome.Ack;
    }
}
