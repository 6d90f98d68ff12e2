using System.Text;

namespace Rmq.Demo;

/// <summary>
/// The chaos program's payload layout: <c>chaos|&lt;id&gt;|&lt;directive&gt;|</c> then any bytes (text or binary).
/// The directive's first character is what the consumer of the queue it was published to does, the
/// second what the consumer of the push queue does with it after a push.
/// </summary>
public static class ChaosPayload
{
    /// <summary>Every chaos payload starts with these bytes.</summary>
    public const string Prefix = "chaos|";

    /// <summary>Ack.</summary>
    public const char Ack = 'a';

    /// <summary>Ack after a delay of up to a few hundred milliseconds.</summary>
    public const char Slow = 's';

    /// <summary>Reject.</summary>
    public const char Reject = 'r';

    /// <summary>Push to the queue's push queue.</summary>
    public const char Push = 'p';

    /// <summary>A long-running job (<see cref="IChaosJobGrain"/>): works 10–30 s, then acks.</summary>
    public const char Long = 'l';

    /// <summary>Throw (the engine then pushes it, or rejects it where there is no push queue).</summary>
    public const char Throw = 't';

    /// <summary>The start of a payload for <paramref name="id"/> with <paramref name="directive"/> (two characters).</summary>
    public static string Head(string id, string directive) => $"{Prefix}{id}|{directive}|";

    /// <summary>Reads the id and directive from a payload; false when it is not a chaos payload.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out string id, out string directive)
    {
        id = directive = "";
        if (!payload.StartsWith("chaos|"u8)) return false;
        var rest = payload[Prefix.Length..];
        var bar = rest.IndexOf((byte)'|');
        if (bar <= 0) return false;
        var afterId = rest[(bar + 1)..];
        if (afterId.Length < 3 || afterId[2] != (byte)'|') return false;
        id = Encoding.ASCII.GetString(rest[..bar]);
        directive = Encoding.ASCII.GetString(afterId[..2]);
        return true;
    }
}
