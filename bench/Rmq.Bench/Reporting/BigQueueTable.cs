using System.Globalization;
using Rmq.Bench.Scenarios;
using Spectre.Console;
using static Rmq.Bench.Reporting.Units;

namespace Rmq.Bench.Reporting;

/// <summary>The big-queue scenario's table (one run, no ratios).</summary>
internal static class BigQueueTable
{
    public static Table Of(BigQueueReport b)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Big queue: one queue with {b.Ready:N0} ready deliveries of {b.PayloadBytes} B (one run)"))
            .AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow(Markup.Escape($"fill: pipelined LPUSH of {b.Ready:N0} (batches of 1000, 16 in flight)"),
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{b.FillSeconds:0.0} s ({b.Ready / b.FillSeconds:N0}/s)")));
        table.AddRow("redis-server used_memory, before → with the queue", Markup.Escape($"{Mb(b.RedisUsedMemoryBefore)} → {Mb(b.RedisUsedMemory)}"));
        table.AddRow("redis-server used_memory per delivery", Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{(b.RedisUsedMemory - b.RedisUsedMemoryBefore) / (double)b.Ready:0.0} B")));
        table.AddRow("silo process managed heap, before → with the queue → consuming", Markup.Escape($"{Mb(b.HeapBefore)} → {Mb(b.HeapWithQueue)} → {Mb(b.HeapConsuming)}"));
        table.AddRow("silo process working set, before → with the queue → consuming", Markup.Escape($"{Mb(b.WorkingSetBefore)} → {Mb(b.WorkingSetWithQueue)} → {Mb(b.WorkingSetConsuming)}"));
        table.AddRow(Markup.Escape($"IQueueGrain.GetStats, p50 / max of {b.StatsCalls} calls (not consuming)"), Markup.Escape($"{Ms(b.GetStatsP50Ms)} / {Ms(b.GetStatsMaxMs)}"));
        table.AddRow(Markup.Escape($"IStatsGrain.GetOverview, p50 / max of {b.StatsCalls} calls"), Markup.Escape($"{Ms(b.OverviewP50Ms)} / {Ms(b.OverviewMaxMs)}"));
        table.AddRow(Markup.Escape($"IQueueGrain.GetStats while consuming, p50 / max of {b.StatsCalls} calls"), Markup.Escape($"{Ms(b.GetStatsConsumingP50Ms)} / {Ms(b.GetStatsConsumingMaxMs)}"));
        table.AddRow("StartConsuming → first delivery at the consumer", Markup.Escape(Ms(b.FirstDeliveryMs)));
        table.AddRow(Markup.Escape($"StartConsuming → {b.ConsumedSample:N0} consumed (1 consumer, acks)"),
            Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{b.ConsumedSampleSeconds:0.0} s ({b.ConsumedSample / b.ConsumedSampleSeconds:N0}/s)")));
        table.AddRow("PurgeReady of the rest (one DEL; Redis is busy meanwhile)", Markup.Escape(Ms(b.PurgeMs)));
        return table;
    }
}
