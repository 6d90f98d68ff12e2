using System.Globalization;
using Rmq.Bench.Scenarios;
using Spectre.Console;
using static Rmq.Bench.Reporting.Units;

namespace Rmq.Bench.Reporting;

/// <summary>The big-scheduled scenario's table (one run, no ratios: Go rmq has no scheduling).</summary>
internal static class BigScheduledTable
{
    public static Table Of(BigScheduledReport b)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Big scheduled: one queue with {b.Scheduled:N0} scheduled deliveries of {b.PayloadBytes} B, nobody consuming (one run; no rmq baseline: Go rmq cannot schedule)"))
            .AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow(Markup.Escape($"schedule {b.Scheduled:N0}: IQueueGrain.PublishBatchAt of {b.BatchSize}, 4 calls in flight, due in a day"),
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{b.ScheduleSeconds:0.0} s ({b.Scheduled / b.ScheduleSeconds:N0}/s)")));
        table.AddRow("redis-server used_memory, before → with them", Markup.Escape($"{Mb(b.RedisUsedMemoryBefore)} → {Mb(b.RedisUsedMemory)}"));
        table.AddRow(Markup.Escape($"redis-server used_memory per scheduled delivery ({b.PayloadBytes} B payload, ZSET member + HASH field)"),
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{(b.RedisUsedMemory - b.RedisUsedMemoryBefore) / (double)b.Scheduled:0.0} B")));
        table.AddRow(Markup.Escape($"scheduler pass moving the first {b.FirstDue:N0} due (time inside Redis, SLOWLOG; longest of {b.MovePassesSeen} scripts on the key)"),
            Markup.Escape(Ms(b.MovePassUs / 1000)));
        table.AddRow(Markup.Escape($"… all {b.FirstDue:N0} in ready, after their due time (polled LLEN every 1 ms)"), Markup.Escape(Ms(b.FirstDueAllReadyLateMs)));
        table.AddRow(Markup.Escape($"IQueueGrain.GetStats (ZCARD), p50 / max of {b.Calls} calls"), Markup.Escape($"{Ms(b.GetStatsP50Ms)} / {Ms(b.GetStatsMaxMs)}"));
        table.AddRow(Markup.Escape($"IQueueGrain.CancelScheduled, p50 / max of {b.Calls} calls"), Markup.Escape($"{Ms(b.CancelP50Ms)} / {Ms(b.CancelMaxMs)}"));
        table.AddRow("Destroy (DEL of the ZSET and the HASH; Redis is busy meanwhile)", Markup.Escape(Ms(b.DestroyMs)));
        return table;
    }
}
