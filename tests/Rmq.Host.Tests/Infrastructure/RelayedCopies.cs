using System.Text;
using System.Text.Json;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>Reads the copies a relay consumer wrote: payload and the silo that consumed it, from Go rmq's header format.</summary>
public static class RelayedCopies
{
    private static readonly byte[] Magic = [0xFF, 0x00, 0xBE, 0xBE, 0x4A];

    public static (string Payload, string? RelayedBy) Decode(byte[] raw)
    {
        if (raw.Length < Magic.Length || !raw.AsSpan(0, Magic.Length).SequenceEqual(Magic)) return (Encoding.UTF8.GetString(raw), null);
        var newline = Array.IndexOf(raw, (byte)'\n', Magic.Length);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string[]>>(raw.AsSpan(Magic.Length, newline - Magic.Length))!;
        var by = headers.TryGetValue(Rmq.Demo.IRelayConsumerGrain.RelayedByHeader, out var values) ? values[0] : null;
        return (Encoding.UTF8.GetString(raw, newline + 1, raw.Length - newline - 1), by);
    }
}
