using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Rmq.Redis;

/// <summary>
/// Go rmq's in-band header format (v5.1+): <c>FF 00 BE BE 4A</c>, the header as the compact JSON that
/// Go's <c>encoding/json</c> writes for <c>map[string][]string</c>, one line feed, then the payload.
/// Encoding is byte-exact with Go so that elements written by either side compare equal.
/// </summary>
public static class HeaderCodec
{
    /// <summary>The 5-byte signature that starts an element carrying a header.</summary>
    public static ReadOnlySpan<byte> Signature => [0xFF, 0x00, 0xBE, 0xBE, 0x4A];

    private static readonly IReadOnlyDictionary<string, string[]> NoHeaders =
        new Dictionary<string, string[]>(0);

    /// <summary>The element to store: the payload unchanged when there are no headers.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> payload, IReadOnlyDictionary<string, string[]>? headers)
    {
        if (headers is null || headers.Count == 0) return payload.ToArray();
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 64);
        buffer.Write(Signature);
        WriteGoJson(buffer, headers);
        buffer.Write([(byte)'\n']);
        buffer.Write(payload);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>True when the element starts with the header signature.</summary>
    public static bool HasHeader(ReadOnlySpan<byte> element) => element.StartsWith(Signature);

    /// <summary>
    /// Splits an element into headers and payload as Go's <c>ExtractHeaderAndPayload</c> does.
    /// Returns false with <paramref name="error"/> set when the element has the signature but no
    /// line feed, or a header that is not JSON for <c>map[string][]string</c>; such deliveries are
    /// rejected at fetch, never delivered. Never throws.
    /// </summary>
    /// <remarks>
    /// As lenient as Go's <c>encoding/json</c>: invalid UTF-8 and unpaired surrogate escapes in keys and
    /// values become U+FFFD, a <c>null</c> header means no headers, a <c>null</c> list element is "".
    /// </remarks>
    public static bool TryDecode(byte[] element, out IReadOnlyDictionary<string, string[]> headers,
        out byte[] payload, out string? error)
    {
        headers = NoHeaders;
        payload = element;
        error = null;
        if (!HasHeader(element)) return true;

        payload = [];
        var rest = element.AsSpan(Signature.Length);
        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            error = "missing line separator";
            return false;
        }
        try
        {
            headers = ParseHeaderJson(rest[..newline]) ?? NoHeaders;
        }
        // Not only JsonException and FormatException: an exception escaping here would stop the
        // consuming loop, and lose the elements Drain has already popped. Any failure is a faulty header.
        catch (Exception e)
        {
            headers = NoHeaders;
            error = "parsing header: " + e.Message;
            return false;
        }
        payload = rest[(newline + 1)..].ToArray();
        return true;
    }

    /// <summary>The header map, or null for the JSON <c>null</c> (Go leaves the map nil without an error).</summary>
    private static Dictionary<string, string[]>? ParseHeaderJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        Read(ref reader);
        var result = reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.StartObject => ParseObject(ref reader),
            _ => throw new FormatException("header is not a JSON object"),
        };
        if (reader.Read()) throw new FormatException("text after the header object");
        return result;
    }

    private static Dictionary<string, string[]> ParseObject(ref Utf8JsonReader reader)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        while (true)
        {
            Read(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) return result;
            var key = GoString(ref reader);
            Read(ref reader);
            // Go decodes null into a nil slice; last duplicate key wins, as in Go.
            if (reader.TokenType == JsonTokenType.Null) { result[key] = []; continue; }
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new FormatException($"header '{key}' is not an array of strings");
            var values = new List<string>();
            while (true)
            {
                Read(ref reader);
                if (reader.TokenType == JsonTokenType.EndArray) break;
                // Go ignores null for a string, so the slice element keeps its zero value.
                if (reader.TokenType == JsonTokenType.Null) { values.Add(""); continue; }
                if (reader.TokenType != JsonTokenType.String)
                    throw new FormatException($"header '{key}' holds a value that is not a string");
                values.Add(GoString(ref reader));
            }
            result[key] = values.ToArray();
        }
    }

    /// <summary>
    /// The current string or property name as Go's <c>encoding/json</c> unquotes it. The reader has
    /// already checked the syntax (escapes, control characters) but not the UTF-8, and its
    /// <c>GetString</c> throws on invalid UTF-8 and on unpaired surrogate escapes where Go does not.
    /// </summary>
    private static string GoString(ref Utf8JsonReader reader)
    {
        // One span in, so never a ValueSequence.
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped && Utf8.IsValid(raw)) return Encoding.UTF8.GetString(raw);
        // Every byte, escape or pair of escapes yields at most as many UTF-16 chars as it has bytes.
        var buffer = ArrayPool<char>.Shared.Rent(raw.Length);
        try
        {
            return new string(buffer, 0, Unquote(raw, buffer));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Go's <c>unquoteBytes</c>, writing UTF-16: returns the number of chars written.</summary>
    private static int Unquote(ReadOnlySpan<byte> raw, Span<char> chars)
    {
        var n = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var b = raw[i];
            if (b == '\\')
            {
                var escape = raw[i + 1];
                if (escape != 'u')
                {
                    chars[n++] = escape switch
                    {
                        (byte)'b' => '\b',
                        (byte)'f' => '\f',
                        (byte)'n' => '\n',
                        (byte)'r' => '\r',
                        (byte)'t' => '\t',
                        _ => (char)escape, // '"', '\\' or '/'
                    };
                    i += 2;
                    continue;
                }
                var c = Hex4(raw.Slice(i + 2, 4));
                i += 6;
                if (!char.IsSurrogate(c)) { chars[n++] = c; continue; }
                // Go: a surrogate escape counts only as the high half of a pair completed by the next escape;
                // otherwise it becomes U+FFFD and the next escape is read on its own.
                if (char.IsHighSurrogate(c) && i + 6 <= raw.Length && raw[i] == '\\' && raw[i + 1] == 'u'
                    && Hex4(raw.Slice(i + 2, 4)) is var low && char.IsLowSurrogate(low))
                {
                    chars[n++] = c;
                    chars[n++] = low;
                    i += 6;
                }
                else chars[n++] = '\uFFFD';
            }
            else if (b < 0x80)
            {
                chars[n++] = (char)b;
                i++;
            }
            else if (Rune.DecodeFromUtf8(raw[i..], out var rune, out var consumed) == OperationStatus.Done)
            {
                n += rune.EncodeToUtf16(chars[n..]);
                i += consumed;
            }
            else
            {
                // Go's utf8.DecodeRune: an invalid sequence yields U+FFFD for its first byte only, so a
                // sequence cut short (E6 97) becomes two U+FFFD where .NET's decoder would write one.
                chars[n++] = '\uFFFD';
                i++;
            }
        }
        return n;
    }

    private static char Hex4(ReadOnlySpan<byte> hex) =>
        (char)ushort.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static void Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new FormatException("the header JSON ends early");
    }

    /// <summary>Writes <c>map[string][]string</c> as Go's <c>json.Marshal</c> does: keys in byte order, no spaces.</summary>
    private static void WriteGoJson(IBufferWriter<byte> output, IReadOnlyDictionary<string, string[]> headers)
    {
        var keys = headers.Keys.Select(k => (Key: k, Utf8: Encoding.UTF8.GetBytes(Sanitize(k)))).ToArray();
        Array.Sort(keys, (a, b) => a.Utf8.AsSpan().SequenceCompareTo(b.Utf8));
        var w = new Writer(output);
        w.Byte('{');
        for (var i = 0; i < keys.Length; i++)
        {
            if (i > 0) w.Byte(',');
            w.String(keys[i].Key);
            w.Byte(':');
            var values = headers[keys[i].Key];
            if (values is null) { w.Ascii("null"); continue; }
            w.Byte('[');
            for (var j = 0; j < values.Length; j++)
            {
                if (j > 0) w.Byte(',');
                w.String(values[j] ?? "");
            }
            w.Byte(']');
        }
        w.Byte('}');
    }

    // Go replaces invalid UTF-8 with U+FFFD; in .NET strings that means lone surrogates.
    private static string Sanitize(string s) => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        private const string Hex = "0123456789abcdef";

        public void Byte(char c) => output.Write([(byte)c]);

        public void Ascii(string s)
        {
            foreach (var c in s) Byte(c);
        }

        public void String(string value)
        {
            Byte('"');
            Span<byte> utf8 = stackalloc byte[4];
            foreach (var rune in Sanitize(value).EnumerateRunes())
            {
                var v = rune.Value;
                switch (v)
                {
                    case '"': Ascii("\\\""); break;
                    case '\\': Ascii("\\\\"); break;
                    case '\n': Ascii("\\n"); break;
                    case '\r': Ascii("\\r"); break;
                    case '\t': Ascii("\\t"); break;
                    // Go escapes these for safe embedding in HTML and JavaScript.
                    case < 0x20 or '<' or '>' or '&' or 0x2028 or 0x2029:
                        Ascii("\\u");
                        Ascii(v > 0xFF ? Hex[(v >> 12) & 0xF].ToString() + Hex[(v >> 8) & 0xF] : "00");
                        Byte(Hex[(v >> 4) & 0xF]);
                        Byte(Hex[v & 0xF]);
                        break;
                    default:
                        var n = rune.EncodeToUtf8(utf8);
                        output.Write(utf8[..n]);
                        break;
                }
            }
            Byte('"');
        }
    }
}
