using System.Text;

namespace Rmq.Chaos;

/// <summary>One seed's results: the delivery counts, what was lost or duplicated and after which fault, stalls and recovery.</summary>
internal sealed class ChaosReport
{
    public required int Seed { get; init; }
    public required ChaosSettings Settings { get; init; }
    public required Ledger Ledger { get; init; }
    public required IReadOnlyList<FaultEvent> Faults { get; init; }
    public required ProgressMonitor Monitor { get; init; }
    public required long RunStartUnixMs { get; init; }
    public required bool Quiesced { get; init; }
    public required TimeSpan QuiescedAfter { get; init; }
    public required int Messages { get; init; }

    public int Lost { get; private set; }
    public int Duplicates { get; private set; }
    public int DuplicatedIds { get; private set; }
    public int Misplaced { get; private set; }
    public Dictionary<string, int> DuplicatesAfter { get; } = [];

    /// <summary>Duplicates per fault (index into <see cref="Faults"/>).</summary>
    public Dictionary<int, int> DuplicatesAfterFault { get; } = [];
    public List<string> LostIds { get; } = [];
    public List<string> MisplacedIds { get; } = [];
    public List<string> DuplicatedIdList { get; } = [];

    /// <summary>Passed: nothing lost, every queue drained, and the run did some work.</summary>
    public bool Passed => Lost == 0 && Quiesced && Ledger.Ids.Values.Sum(a => a.Published) > 0 && Ledger.Ids.Values.Sum(a => a.Records.Count) > 0;

    public ChaosReport Compute()
    {
        foreach (var (id, account) in Ledger.Ids)
        {
            var expected = ExpectedMessage(id);
            if (account.Published > 0 && account.Found < account.Published)
            {
                Lost += account.Published - account.Found;
                LostIds.Add(id);
            }
            var copies = Math.Max(account.Published, Math.Min(account.Published + account.Uncertain, account.Found));
            var calls = expected is null ? 0 : ChaosMessage.CallsPerCopy(expected.Directive) * copies;
            var extra = account.Records.Count - calls;
            if (extra > 0)
            {
                Duplicates += extra;
                DuplicatedIds++;
                DuplicatedIdList.Add(id);
                foreach (var record in account.Records.OrderBy(r => r.UnixMs).Skip(calls)) Attribute(record);
            }
            if (expected is not null && copies > 0 && !InPlace(account, ChaosMessage.Destination(expected.Directive, expected.Queue)))
            {
                Misplaced++;
                MisplacedIds.Add(id);
            }
        }
        return this;
    }

    private ChaosMessage? ExpectedMessage(string id)
    {
        // Ids are m<n> (one message) or d<group> (identical payloads): the message is rebuilt from the seed.
        if (id.StartsWith('m') && int.TryParse(id.AsSpan(1), out var n)) return ChaosMessage.Create(Seed, n);
        if (id.StartsWith('d') && int.TryParse(id.AsSpan(1), out var group))
            for (var i = group; i < Messages; i += 97)
                if (ChaosMessage.Create(Seed, i) is { Shape: MessageShape.Identical } m) return m;
        return null;
    }

    private static bool InPlace(IdAccount account, string destination) =>
        destination == "acked" ? account.RejectedIn.Count == 0 : account.RejectedIn.Count > 0 && account.RejectedIn.All(q => destination == $"rejected:{q}");

    private void Attribute(ConsumerRecord record)
    {
        var at = TimeSpan.FromMilliseconds(record.UnixMs - RunStartUnixMs);
        var index = Faults.Count - 1;
        while (index >= 0 && Faults[index].Start > at) index--;
        var key = index < 0 ? "(no fault before it)" : Faults[index].Kind.Name();
        DuplicatesAfter[key] = DuplicatesAfter.GetValueOrDefault(key) + 1;
        if (index >= 0) DuplicatesAfterFault[index] = DuplicatesAfterFault.GetValueOrDefault(index) + 1;
    }

    /// <summary>
    /// Time from the fault's end to the first recorded outcome in each queue that had work then, for
    /// the slowest queue; null when no queue had work, <see cref="TimeSpan.MaxValue"/> when one never resumed.
    /// Not the long-running jobs' queue: its outcomes come 10–30 s apart whether or not a fault held it up.
    /// </summary>
    public TimeSpan? Resumed(FaultEvent fault)
    {
        TimeSpan? slowest = null;
        foreach (var queue in ChaosSettings.AllQueues.Where(q => q != ChaosSettings.LongQueue))
        {
            if (Monitor.BacklogAt(queue, fault.End) == 0) continue;
            var first = Ledger.Ids.Values.SelectMany(a => a.Records).Where(r => r.Queue == queue)
                .Select(r => TimeSpan.FromMilliseconds(r.UnixMs - RunStartUnixMs)).Where(t => t > fault.End).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var gap = first == TimeSpan.MaxValue ? TimeSpan.MaxValue : first - fault.End;
            if (slowest is null || gap > slowest) slowest = gap;
        }
        return slowest;
    }

    private string Recovery(FaultEvent fault) => Resumed(fault) switch
    {
        null => "no backlog",
        { } t when t == TimeSpan.MaxValue => "never",
        { } t => $"{t.TotalSeconds:F2} s",
    };

    /// <summary>One id's whole story, for replaying a failure.</summary>
    private string Describe(string id)
    {
        var a = Ledger.Ids[id];
        var m = ExpectedMessage(id);
        var records = string.Join("; ", a.Records.OrderBy(r => r.UnixMs).Select(r => $"{r.Queue} {r.Outcome} at {(r.UnixMs - RunStartUnixMs) / 1000.0:F2} s on {r.Silo}"));
        return $"{id} ({m?.Shape} to {m?.Queue}, directive {m?.Directive}): published {a.Published}, unknown {a.Uncertain}; outcomes: {records}; " +
            $"rejected in: {string.Join(",", a.RejectedIn)}; ready {a.Ready}, unacked {a.Unacked}";
    }

    public string Render()
    {
        var l = Ledger;
        var a = l.Ids.Values;
        var sb = new StringBuilder();
        sb.AppendLine($"seed {Seed}: {Settings.Duration.TotalSeconds:F0} s of faults and publishing, {Messages} messages, {Settings.Silos} silos, faults: {string.Join(",", Settings.Faults.Select(f => f.Name()))}");
        sb.AppendLine();
        sb.AppendLine("faults (time since the start; over after = until the fault was healed; resumed = first outcome after that in the slowest queue that had work, chaos-long aside):");
        foreach (var f in Faults) sb.AppendLine($"  {f}  resumed {Recovery(f)}");
        sb.AppendLine();
        sb.AppendLine("| figure | count |");
        sb.AppendLine("|---|---:|");
        void Row(string name, object value) => sb.AppendLine($"| {name} | {value} |");
        Row("published (acknowledged)", a.Sum(x => x.Published));
        Row("publishes with unknown outcome (timeout, dropped connection, silo died mid-call)", $"{a.Sum(x => x.Uncertain)} ({a.Count(x => x.Uncertain > 0 && x.Found > 0)} reached Redis)");
        Row("acked (consumer outcomes)", a.Sum(x => x.Acked));
        Row("rejected (in rejected lists, chaos deliveries)", a.Sum(x => x.RejectedIn.Count));
        Row("  of them dead-lettered with rmq-reason (consumer calls timed out too often)", a.Sum(x => x.DeadLettered));
        Row("pushed (consumer outcomes)", a.Sum(x => x.Records.Count(r => r.Outcome == DeliveryOutcome.Push)));
        Row("ready at the end", l.ReadyByQueue.Values.Sum());
        Row("unacked at the end", l.UnackedByQueue.Values.Sum());
        Row("poison elements pushed / found in rejected", $"{l.PoisonPushed} / {l.PoisonRejected}");
        Row("**lost** (published, found nowhere)", Lost);
        Row("**duplicates** (outcomes beyond one per delivery)", $"{Duplicates} over {DuplicatedIds} deliveries");
        Row("misplaced (not where the consumer's outcome sends it)", Misplaced);
        Row("foreign elements in the queues", l.Foreign);
        Row("consumer records retried after a lost reply (counted once)", l.RecordRetries);
        sb.AppendLine();
        sb.AppendLine("duplicates by the fault they followed: " + (DuplicatesAfter.Count == 0 ? "none" : string.Join(", ", DuplicatesAfter.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}"))));
        sb.AppendLine("longest stall (had work, recorded no outcome) per queue: " + string.Join(", ", ChaosSettings.AllQueues.Select(q =>
        {
            var (length, from) = Monitor.LongestStall(q);
            return $"{q} {length.TotalSeconds:F1} s (from {from.TotalSeconds:F0} s)";
        })));
        sb.AppendLine(Quiesced
            ? $"drained: every queue's ready and unacked empty {QuiescedAfter.TotalSeconds:F1} s after the last fault and publish"
            : $"NOT drained within {Settings.QuiesceTimeout.TotalSeconds:F0} s: a queue stayed stalled");
        if (LostIds.Count > 0) sb.AppendLine("lost ids: " + string.Join(" ", LostIds.Take(50)));
        if (MisplacedIds.Count > 0) sb.AppendLine("misplaced ids: " + string.Join(" ", MisplacedIds.Take(50)));
        foreach (var id in LostIds.Concat(MisplacedIds).Take(10)) sb.AppendLine("  " + Describe(id));
        if (DuplicatedIdList.Count > 0) sb.AppendLine("duplicated (first 10):");
        foreach (var id in DuplicatedIdList.Take(10)) sb.AppendLine("  " + Describe(id));
        sb.AppendLine(Passed ? "result: PASS" : "result: FAIL");
        return sb.ToString();
    }
}
