using System.Text;
using Rmq.Demo;

namespace Rmq.Chaos;

/// <summary>How a message is published.</summary>
internal enum MessageShape { Text, Binary, TextWithHeaders, BinaryWithHeaders, Identical }

/// <summary>
/// Message <c>n</c> of a seed, the same in the publisher process and in the report: its id, queue,
/// shape, directive (what the consumers do with it) and whether it goes through the grain.
/// </summary>
internal sealed record ChaosMessage(string Id, string Queue, MessageShape Shape, string Directive, bool ThroughGrain, byte[] Payload,
    IReadOnlyDictionary<string, string[]>? Headers)
{
    /// <summary>Identical payloads come from this many groups, so each group's payload is published several times.</summary>
    private const int IdenticalGroups = 97;

    public static ChaosMessage Create(int seed, int n)
    {
        var random = new Random(Mix(seed, n));
        if (random.NextDouble() < ChaosSettings.LongShare)
        {
            var longId = $"m{n}";
            var longDirective = $"{ChaosPayload.Long}{ChaosPayload.Ack}";
            return new ChaosMessage(longId, ChaosSettings.LongQueue, MessageShape.Text, longDirective, random.NextDouble() < 0.2,
                Encoding.UTF8.GetBytes(ChaosPayload.Head(longId, longDirective) + "long job"), null);
        }
        var roll = random.NextDouble();
        var shape = roll switch
        {
            < 0.45 => MessageShape.Text,
            < 0.65 => MessageShape.Binary,
            < 0.75 => MessageShape.TextWithHeaders,
            < 0.85 => MessageShape.BinaryWithHeaders,
            _ => MessageShape.Identical,
        };
        var throughGrain = random.NextDouble() < 0.2;
        if (shape == MessageShape.Identical)
        {
            // Everything but the path is the group's: the same bytes to the same queue with the same directive.
            var group = n % IdenticalGroups;
            var g = new Random(Mix(seed, -1 - group));
            var directive = PickDirective(g);
            var id = $"d{group}";
            return new ChaosMessage(id, ChaosSettings.SourceQueues[g.Next(ChaosSettings.SourceQueues.Length)], shape, directive, throughGrain,
                Encoding.UTF8.GetBytes(ChaosPayload.Head(id, directive) + "identical payload " + group), null);
        }
        var queue = ChaosSettings.SourceQueues[random.Next(ChaosSettings.SourceQueues.Length)];
        var dir = PickDirective(random);
        var mid = $"m{n}";
        var head = Encoding.ASCII.GetBytes(ChaosPayload.Head(mid, dir));
        var body = new byte[40 + random.Next(120)];
        if (shape is MessageShape.Binary or MessageShape.BinaryWithHeaders)
        {
            random.NextBytes(body);
            // Bytes that are never valid UTF-8, so a decode-and-reencode anywhere would show.
            body[0] = 0xFF;
            body[1] = 0xFE;
            body[2] = 0x00;
        }
        else
        {
            for (var i = 0; i < body.Length; i++) body[i] = (byte)('a' + random.Next(26));
        }
        var headers = shape is MessageShape.TextWithHeaders or MessageShape.BinaryWithHeaders
            ? new Dictionary<string, string[]> { ["chaos-shape"] = [shape.ToString()], ["trace-id"] = [$"{seed:x}-{n:x}", "second value"] }
            : null;
        return new ChaosMessage(mid, queue, shape, dir, throughGrain, [.. head, .. body], headers);
    }

    // Not HashCode.Combine: it is seeded per process, and the publisher and the report must agree.
    private static int Mix(int seed, int n) => unchecked(seed * 1_000_003 + n * 7919);

    /// <summary>
    /// Mostly ack; some slow, rejected, pushed (then acked or rejected), throwing (a throw counts as a
    /// push, and as a reject in the push queue, which has no push queue of its own).
    /// </summary>
    private static string PickDirective(Random random) => random.Next(100) switch
    {
        < 70 => "aa",
        < 75 => "sa",
        < 82 => "ra",
        < 90 => "pa",
        < 93 => "pr",
        < 97 => "ta",
        _ => "tt",
    };

    private static bool GoesToPushQueue(string directive) => directive[0] is ChaosPayload.Push or ChaosPayload.Throw;

    /// <summary>Consumer calls that return an outcome (and record it) for one copy; a throw records nothing.</summary>
    public static int CallsPerCopy(string directive) =>
        (directive[0] == ChaosPayload.Throw ? 0 : 1) + (GoesToPushQueue(directive) && directive[1] != ChaosPayload.Throw ? 1 : 0);

    /// <summary>Where one copy ends: "acked" or the rejected list of a queue.</summary>
    public static string Destination(string directive, string queue) =>
        directive[0] == ChaosPayload.Reject ? $"rejected:{queue}"
        : GoesToPushQueue(directive) && directive[1] is ChaosPayload.Reject or ChaosPayload.Throw ? $"rejected:{ChaosSettings.PushQueue}"
        : "acked";
}
