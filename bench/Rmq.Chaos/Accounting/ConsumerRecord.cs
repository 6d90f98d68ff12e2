namespace Rmq.Chaos;

/// <summary>One outcome a chaos consumer returned, as it recorded it (see IChaosConsumerGrain).</summary>
internal sealed record ConsumerRecord(string Queue, DeliveryOutcome Outcome, long UnixMs, string Silo, string Nonce, string Id)
{
    public static ConsumerRecord? Parse(string text)
    {
        var parts = text.Split('|');
        if (parts.Length != 6 || !Enum.TryParse<DeliveryOutcome>(parts[1], out var outcome) || !long.TryParse(parts[2], out var ms)) return null;
        return new ConsumerRecord(parts[0], outcome, ms, parts[3], parts[4], parts[5]);
    }
}
