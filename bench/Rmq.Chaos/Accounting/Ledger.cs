using Rmq.Demo;

namespace Rmq.Chaos;

/// <summary>Where one delivery id was found at the end.</summary>
internal sealed class IdAccount
{
    public int Published;
    public int Uncertain;
    public readonly List<ConsumerRecord> Records = [];
    public readonly List<string> RejectedIn = [];
    public int Ready;
    public int Unacked;
    public int DeadLettered;

    public int Acked => Records.Count(r => r.Outcome == DeliveryOutcome.Ack);

    /// <summary>Copies found in a final place (acked, rejected) or still waiting (ready, unacked).</summary>
    public int Found => Acked + RejectedIn.Count + Ready + Unacked;
}

/// <summary>
/// The end-of-run count: every acknowledged publish (the publisher's log), every outcome a consumer
/// returned (its records), and every element of every list of every queue, read from Redis.
/// </summary>
internal sealed class Ledger
{
    private readonly RedisKeys _keys = new(KeyDialect.Classic);

    public Dictionary<string, IdAccount> Ids { get; } = [];
    public Dictionary<string, long> ReadyByQueue { get; } = [];
    public Dictionary<string, long> UnackedByQueue { get; } = [];
    public Dictionary<string, long> RejectedByQueue { get; } = [];
    public int PoisonPushed { get; private set; }
    public int PoisonRejected { get; private set; }
    public int Foreign { get; private set; }
    public int RecordRetries { get; private set; }

    public static async Task<Ledger> ReadAsync(string publisherLog, IConnectionMultiplexer redis, string records, IReadOnlyList<byte[]> poison)
    {
        var ledger = new Ledger { PoisonPushed = poison.Count };
        foreach (var line in await File.ReadAllLinesAsync(publisherLog))
        {
            var parts = line.Split(' ');
            if (parts.Length < 2) continue;
            var account = ledger.Account(parts[1]);
            if (parts[0] == "ok") account.Published++;
            else if (parts[0] == "unc") account.Uncertain++;
        }
        var db = redis.GetDatabase();
        var seen = new HashSet<string>();
        foreach (var queue in ChaosSettings.AllQueues)
            foreach (var value in await db.ListRangeAsync($"{records}:{queue}"))
            {
                if (ConsumerRecord.Parse(value!) is not { } record) continue;
                // A record whose reply was lost is pushed again with the same nonce: one consumption.
                if (!seen.Add(record.Nonce))
                {
                    ledger.RecordRetries++;
                    continue;
                }
                ledger.Account(record.Id).Records.Add(record);
            }

        var poisonSet = poison.Select(Convert.ToBase64String).ToHashSet();
        var server = redis.GetServers().First(s => s.IsConnected);
        var unackedKeys = new List<(string Queue, RedisKey Key)>();
        await foreach (var key in server.KeysAsync(pattern: RedisKeys.AnyUnackedPattern))
            if (ledger._keys.TryParseUnacked(key!, out _, out var q) && ChaosSettings.AllQueues.Contains(q)) unackedKeys.Add((q, key));
        foreach (var queue in ChaosSettings.AllQueues)
        {
            var ready = await db.ListRangeAsync(ledger._keys.Ready(queue));
            ledger.ReadyByQueue[queue] = ready.Length;
            foreach (var e in ready) ledger.Locate(e, poisonSet, a => a.Ready++, poisonAllowed: true);
            var rejected = await db.ListRangeAsync(ledger._keys.Rejected(queue));
            ledger.RejectedByQueue[queue] = rejected.Length;
            foreach (var e in rejected)
            {
                if (poisonSet.Contains(Convert.ToBase64String((byte[])e!)))
                {
                    ledger.PoisonRejected++;
                    continue;
                }
                ledger.Locate(e, poisonSet, a => a.RejectedIn.Add(queue), poisonAllowed: false, deadLetter: true);
            }
            long unacked = 0;
            foreach (var (_, key) in unackedKeys.Where(k => k.Queue == queue))
            {
                var held = await db.ListRangeAsync(key);
                unacked += held.Length;
                foreach (var e in held) ledger.Locate(e, poisonSet, a => a.Unacked++, poisonAllowed: true);
            }
            ledger.UnackedByQueue[queue] = unacked;
        }
        return ledger;
    }

    private IdAccount Account(string id)
    {
        if (!Ids.TryGetValue(id, out var account)) Ids[id] = account = new IdAccount();
        return account;
    }

    private void Locate(RedisValue element, HashSet<string> poison, Action<IdAccount> place, bool poisonAllowed, bool deadLetter = false)
    {
        var bytes = (byte[])element!;
        if (poisonAllowed && poison.Contains(Convert.ToBase64String(bytes))) return;
        if (!HeaderCodec.TryDecode(bytes, out var headers, out var payload, out _) || !ChaosPayload.TryParse(payload, out var id, out _))
        {
            Foreign++;
            return;
        }
        var account = Account(id);
        place(account);
        if (deadLetter && headers.ContainsKey(DeadLetterHeaders.Reason)) account.DeadLettered++;
    }
}
