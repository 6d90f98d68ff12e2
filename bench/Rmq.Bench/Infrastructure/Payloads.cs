using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Bench.Infrastructure;

/// <summary>
/// Distinct payloads of a fixed size (the index, padded): acks remove elements by value, so every
/// element of a run must differ, as real deliveries do.
/// </summary>
internal static class Payloads
{
    public static string Text(string run, int index, int bytes)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{run}:{index:D9}:");
        return head.Length >= bytes ? head : head.PadRight(bytes, 'p');
    }

    public static List<string> Texts(string run, int start, int count, int bytes)
    {
        var list = new List<string>(count);
        for (var i = 0; i < count; i++) list.Add(Text(run, start + i, bytes));
        return list;
    }

    public static RedisValue Value(string run, int index, int bytes) => System.Text.Encoding.ASCII.GetBytes(Text(run, index, bytes));

    public static RedisValue[] Values(string run, int start, int count, int bytes)
    {
        var values = new RedisValue[count];
        for (var i = 0; i < count; i++) values[i] = Value(run, start + i, bytes);
        return values;
    }

    /// <summary><paramref name="total"/> payloads cut into chunks of <paramref name="chunk"/> (the last may be shorter).</summary>
    public static List<List<string>> TextChunks(string run, int total, int chunk, int bytes)
    {
        var chunks = new List<List<string>>((total + chunk - 1) / chunk);
        for (var start = 0; start < total; start += chunk) chunks.Add(Texts(run, start, Math.Min(chunk, total - start), bytes));
        return chunks;
    }

    public static List<RedisValue[]> ValueChunks(string run, int total, int chunk, int bytes)
    {
        var chunks = new List<RedisValue[]>((total + chunk - 1) / chunk);
        for (var start = 0; start < total; start += chunk) chunks.Add(Values(run, start, Math.Min(chunk, total - start), bytes));
        return chunks;
    }
}
