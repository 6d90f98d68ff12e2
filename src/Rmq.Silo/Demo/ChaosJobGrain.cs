using Orleans.Placement;
using Orleans.Runtime;
using Rmq.Demo;
using Rmq.Redis;

namespace Rmq.Silo.Demo;

// Random placement, as the chaos consumers: a silo's death takes some running jobs with it.
[RandomPlacement]
internal sealed class ChaosJobGrain(RedisConnection redis, ILocalSiloDetails silo) : Grain, IChaosJobGrain
{
    public async Task<DeliveryOutcome> Run(Delivery delivery, JobContext job)
    {
        this.GetPrimaryKeyLong(out var extension);
        var records = extension is { } key && key.LastIndexOf('|') is var bar and >= 0 ? key[..bar] : extension ?? "";
        if (!ChaosPayload.TryParse(delivery.PayloadBytes, out var id, out _)) return DeliveryOutcome.Reject;
        var length = TimeSpan.FromSeconds(10 + (uint)StableHash(id) % 21);
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow - started < length)
        {
            job.ReportProgress(Math.Min(100, 100 * (DateTime.UtcNow - started) / length));
            // The token fires on pause, stop, shutdown or a lost lease: the job stops, and Rmq puts the delivery where it belongs.
            await Task.Delay(200, job.CancellationToken);
        }
        // Recorded before the outcome is returned, as the chaos consumers do: a run that dies after this is a duplicate.
        await ChaosConsumerGrain.RecordAsync(redis, $"{records}:{delivery.Queue}",
            $"{delivery.Queue}|{DeliveryOutcome.Ack}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{silo.Name}|{Guid.NewGuid():N}|{id}");
        return DeliveryOutcome.Ack;
    }

    // Not string.GetHashCode: it is seeded per process, and each run of a job should take as long.
    private static int StableHash(string s)
    {
        var h = 17;
        foreach (var c in s) h = unchecked(h * 31 + c);
        return h;
    }
}
