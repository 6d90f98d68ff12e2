using Orleans.Placement;
using Orleans.Runtime;
using Rmq.Demo;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.Silo.Demo;

// Random placement spreads a queue's chaos consumers over the cluster, so a silo's death takes some of them with it.
[RandomPlacement]
internal sealed class ChaosConsumerGrain(RedisConnection redis, ILocalSiloDetails silo) : Grain, IChaosConsumerGrain
{
    // A record must outlast a Redis restart: a consumer that gave up would make the engine count a
    // failure, and enough of those dead-letter a delivery its directive says to ack.
    private static readonly TimeSpan RecordFor = TimeSpan.FromSeconds(20);

    public async Task<DeliveryOutcome> Consume(Delivery delivery)
    {
        this.GetPrimaryKeyLong(out var extension);
        var key = extension ?? "";
        var bar = key.LastIndexOf('|');
        var (records, role) = bar < 0 ? (key, "source") : (key[..bar], key[(bar + 1)..]);
        if (!ChaosPayload.TryParse(delivery.PayloadBytes, out var id, out var directive)) return DeliveryOutcome.Reject;
        var action = role == "target" ? directive[1] : directive[0];
        DeliveryOutcome outcome;
        switch (action)
        {
            case ChaosPayload.Throw:
                throw new InvalidOperationException($"chaos: the consumer of delivery {id} throws");
            case ChaosPayload.Slow:
                await Task.Delay(50 + (int)((uint)id.GetHashCode() % 350));
                outcome = DeliveryOutcome.Ack;
                break;
            case ChaosPayload.Reject:
                outcome = DeliveryOutcome.Reject;
                break;
            case ChaosPayload.Push:
                outcome = DeliveryOutcome.Push;
                break;
            default:
                outcome = DeliveryOutcome.Ack;
                break;
        }
        // Recorded before the outcome is returned: if this silo dies in between, the delivery is
        // redelivered and recorded again — the chaos program counts that as a duplicate.
        await RecordAsync($"{records}:{delivery.Queue}", $"{delivery.Queue}|{outcome}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}|{silo.Name}|{Guid.NewGuid():N}|{id}");
        return outcome;
    }

    /// <summary>Records an outcome in the chaos program's list, retried through Redis faults for <see cref="RecordFor"/>.</summary>
    internal static Task RecordAsync(RedisConnection redis, string records, string record) => RecordWithRetriesAsync(redis, records, record);

    private Task RecordAsync(string records, string record) => RecordWithRetriesAsync(redis, records, record);

    private static async Task RecordWithRetriesAsync(RedisConnection redis, string records, string record)
    {
        var deadline = DateTime.UtcNow + RecordFor;
        while (true)
        {
            try
            {
                var db = await redis.GetDatabaseAsync();
                await db.ListRightPushAsync(records, record);
                return;
            }
            // A lost reply retried records twice; the nonce in the record lets the chaos program count it once.
            catch (Exception e) when ((e is RedisException or TimeoutException or RedisUnavailableException) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }
}
