using System.Text;

namespace Rmq.Tests;

/// <summary>Go rmq's header_test.go (RMQ-SEMANTICS §9.4 #22–27), plus byte-exact checks of Go's JSON.</summary>
public sealed class HeaderCodecTests
{
    private static readonly byte[] Sig = [0xFF, 0x00, 0xBE, 0xBE, 0x4A];

    private static Dictionary<string, string[]> H(params (string Key, string[] Values)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Values);

    [Fact] // #22 / #23
    public void PayloadWithHeader_EmptyHeaderLeavesPayloadUnchanged_AndRoundTrips()
    {
        var payload = """{"foo":"bar"}"""u8.ToArray();
        Assert.Equal(payload, HeaderCodec.Encode(payload, H()));
        Assert.Equal(payload, HeaderCodec.Encode(payload, null));
        Assert.True(HeaderCodec.TryDecode(payload, out var none, out var same, out _));
        Assert.Empty(none);
        Assert.Equal(payload, same);

        var wrapped = HeaderCodec.Encode(payload, H(("X-Foo", ["Bar"])));
        Assert.NotEqual(payload, wrapped);
        Assert.True(HeaderCodec.TryDecode(wrapped, out var headers, out var clear, out var error));
        Assert.Null(error);
        Assert.Equal(["Bar"], headers["X-Foo"]);
        Assert.Single(headers);
        Assert.Equal(payload, clear);
    }

    [Fact] // #24
    public void Extract_MissingLineSeparator_IsAnError()
    {
        var wrapped = HeaderCodec.Encode("foo"u8, H(("foo", ["bar"])));
        Assert.False(HeaderCodec.TryDecode(wrapped[..7], out var headers, out var payload, out var error));
        Assert.Equal("missing line separator", error);
        Assert.Empty(headers);
        Assert.Empty(payload);
    }

    [Fact] // #25
    public void Extract_InvalidJson_IsAnError()
    {
        var wrapped = HeaderCodec.Encode("foo"u8, H(("foo", ["bar"])));
        var broken = wrapped.ToArray();
        broken[Array.IndexOf(broken, (byte)'"')] = (byte)'\'';
        Assert.False(HeaderCodec.TryDecode(broken, out var headers, out var payload, out var error));
        Assert.StartsWith("parsing header: ", error);
        Assert.Empty(headers);
        Assert.Empty(payload);
    }

    [Fact] // #26, and the exact bytes of Go's example
    public void Extract_Ok_AndEncodingIsGoBytes()
    {
        var wrapped = HeaderCodec.Encode("foo"u8, H(("foo", ["bar"])));
        Assert.Equal([.. Sig, .. """{"foo":["bar"]}"""u8.ToArray(), 0x0A, .. "foo"u8.ToArray()], wrapped);
        Assert.True(HeaderCodec.TryDecode(wrapped, out var headers, out var payload, out _));
        Assert.Equal(["bar"], headers["foo"]);
        Assert.Equal("foo"u8.ToArray(), payload);
    }

    [Fact] // #27
    public void Extract_LineBreaksInValuesRoundTrip()
    {
        var wrapped = HeaderCodec.Encode("foo"u8, H(("foo", ["bar1\nbar2\nbar3"])));
        // Escaped in the JSON, so the first raw 0x0A is still the separator.
        Assert.Equal(Sig.Length + """{"foo":["bar1\nbar2\nbar3"]}""".Length, Array.IndexOf(wrapped, (byte)0x0A));
        Assert.True(HeaderCodec.TryDecode(wrapped, out var headers, out var payload, out _));
        Assert.Equal(["bar1\nbar2\nbar3"], headers["foo"]);
        Assert.Equal("foo"u8.ToArray(), payload);
    }

    [Fact]
    public void Encoding_MatchesGoEncodingJson_SortedKeysAndHtmlSafeEscapes()
    {
        var wrapped = HeaderCodec.Encode("p"u8, H(
            ("b", ["<a>&\"\\\t\u0001", "é\u2028"]),
            ("a", ["1", "2"]),
            ("B", [])));
        // What Go's json.Marshal(map[string][]string) writes for the same map.
        var expectedJson = """{"B":[],"a":["1","2"],"b":["\u003ca\u003e\u0026\"\\\t\u0001","é\u2028"]}""";
        Assert.Equal(expectedJson, Encoding.UTF8.GetString(wrapped, Sig.Length, wrapped.Length - Sig.Length - 2));
    }

    [Fact]
    public void Decoding_FollowsGo_NullIsAnEmptyListAndNonArraysAreErrors()
    {
        byte[] Wrap(string json) => [.. Sig, .. Encoding.UTF8.GetBytes(json), 0x0A, .. "x"u8.ToArray()];
        Assert.True(HeaderCodec.TryDecode(Wrap("""{ "a" : null , "b":["1"] }"""), out var headers, out _, out _));
        Assert.Empty(headers["a"]);
        Assert.Equal(["1"], headers["b"]);
        Assert.False(HeaderCodec.TryDecode(Wrap("""{"a":"not an array"}"""), out _, out _, out var error));
        Assert.StartsWith("parsing header: ", error);
        Assert.False(HeaderCodec.TryDecode(Wrap("""{"a":[1]}"""), out _, out _, out _));
    }

    [Fact]
    public void BinaryPayloadsPassThroughByteForByte()
    {
        byte[] payload = [0x00, 0xFF, 0x0A, 0x80, 0xC3];
        Assert.True(HeaderCodec.TryDecode(HeaderCodec.Encode(payload, H(("k", ["v"]))), out _, out var clear, out _));
        Assert.Equal(payload, clear);
    }

    /// <summary>An element with <paramref name="json"/> as its header bytes, exactly as given.</summary>
    private static byte[] Element(byte[] json, string payload = "p") => [.. Sig, .. json, 0x0A, .. Encoding.UTF8.GetBytes(payload)];

    private static byte[] Element(string json, string payload = "p") => Element(Encoding.UTF8.GetBytes(json), payload);

    private static IReadOnlyDictionary<string, string[]> Decoded(byte[] element, string payload = "p")
    {
        Assert.True(HeaderCodec.TryDecode(element, out var headers, out var clear, out var error), error);
        Assert.Null(error);
        Assert.Equal(Encoding.UTF8.GetBytes(payload), clear);
        return headers;
    }

    private static void Faulty(byte[] element)
    {
        Assert.False(HeaderCodec.TryDecode(element, out var headers, out var payload, out var error));
        Assert.StartsWith("parsing header: ", error);
        Assert.Empty(headers);
        Assert.Empty(payload);
    }

    [Fact] // Go's encoding/json: "invalid UTF-16 surrogate pairs are not treated as an error"
    public void Decoding_LoneHighSurrogateEscape_BecomesReplacementCharacter()
    {
        Assert.Equal(["\uFFFD"], Decoded(Element("""{"a":["\ud800"]}"""))["a"]);
        Assert.Equal(["x\uFFFDy"], Decoded(Element("""{"a":["x\uDBFFy"]}"""))["a"]);
        // A high surrogate followed by an escape that is not a low one: only the high one is replaced.
        Assert.Equal(["\uFFFDA"], Decoded(Element("""{"a":["\ud800\u0041"]}"""))["a"]);
        Assert.Equal(["\uFFFD\uFFFD"], Decoded(Element("""{"a":["\ud800\ud800"]}"""))["a"]);
        Assert.Equal(["\uFFFD\U0001F600"], Decoded(Element("""{"a":["\ud800\ud83d\ude00"]}"""))["a"]);
        Assert.Equal(["\uFFFD\\udc00"], Decoded(Element("""{"a":["\ud800\\udc00"]}"""))["a"]);
        Assert.Equal(["v"], Decoded(Element("""{"k\ud800":["v"]}"""))["k\uFFFD"]);
    }

    [Fact]
    public void Decoding_LoneLowSurrogateEscape_BecomesReplacementCharacter()
    {
        Assert.Equal(["\uFFFD"], Decoded(Element("""{"a":["\udc00"]}"""))["a"]);
        Assert.Equal(["\uFFFD\uFFFD"], Decoded(Element("""{"a":["\udfff\ud800"]}"""))["a"]);
        Assert.Equal(["\uFFFD\uFFFD"], Decoded(Element("""{"a":["\udc00\udc00"]}"""))["a"]);
        Assert.Equal(["v"], Decoded(Element("""{"\udc00":["v"]}"""))["\uFFFD"]);
    }

    [Fact]
    public void Decoding_SurrogatePairEscapes_DecodeToTheCharacter()
    {
        var headers = Decoded(Element("""{"\ud83d\ude00":["\ud83d\ude00","\uD834\uDD1E!","\u00e9\u2028\n\"\\\/"]}"""));
        Assert.Equal(["\U0001F600", "\U0001D11E!", "é\u2028\n\"\\/"], headers["\U0001F600"]);
        // And what the encoder writes (raw UTF-8) decodes to the same.
        Assert.Equal(["\U0001F600"], Decoded(HeaderCodec.Encode("p"u8, H(("k", ["\U0001F600"]))))["k"]);
    }

    [Fact] // Go's utf8.DecodeRune: each byte of an invalid sequence is one U+FFFD
    public void Decoding_InvalidUtf8InAValue_BecomesReplacementCharacters()
    {
        byte[] value =
        [
            (byte)'a', 0xFF, (byte)'b',
            0xE6, 0x97, (byte)'c',      // a 3-byte sequence cut short
            0xED, 0xA0, 0x80,           // an encoded surrogate
            0xC0, 0xAF,                 // an overlong '/'
            0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, // valid: é 😀
            0x80,                        // a lone continuation byte
        ];
        var json = (byte[])[.. """{"a":["x","""u8.ToArray(), (byte)'"', .. value, .. """\n"]}"""u8.ToArray()];
        Assert.Equal(["x", "a\uFFFDb\uFFFD\uFFFDc\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDé\U0001F600\uFFFD\n"], Decoded(Element(json))["a"]);
        // The payload after the line feed is untouched even when it is not UTF-8 either.
        var element = (byte[])[.. Sig, .. json, 0x0A, 0xFF, 0xC3];
        Assert.True(HeaderCodec.TryDecode(element, out _, out var payload, out _));
        Assert.Equal([0xFF, 0xC3], payload);
    }

    [Fact]
    public void Decoding_InvalidUtf8InAKey_BecomesReplacementCharacters()
    {
        var json = (byte[])[.. "{\"k"u8.ToArray(), 0xFE, 0xC3, .. "\":[\"v\"],\"ok\":[]}"u8.ToArray()];
        var headers = Decoded(Element(json));
        Assert.Equal(["v"], headers["k\uFFFD\uFFFD"]);
        Assert.Empty(headers["ok"]);
        Assert.Equal(2, headers.Count);
    }

    [Fact] // What Go accepts that a strict reader would not
    public void Decoding_FollowsGo_NullHeaderAndNullValuesAndDuplicateKeys()
    {
        // json.Unmarshal("null", &header) leaves a nil map and no error: the payload is delivered.
        Assert.Empty(Decoded(Element(" null ")));
        // A null array element is ignored for a string, so the element stays "".
        Assert.Equal(["", "b"], Decoded(Element("""{"a":[null,"b"]}"""))["a"]);
        Assert.Equal(["2"], Decoded(Element("""{"a":["1"],"a":["2"]}"""))["a"]);
        Assert.Empty(Decoded(Element("""{"a":["1"],"a":null}"""))["a"]);
        Assert.Empty(Decoded(Element("{}")));
    }

    [Theory] // Shapes Go's json.Unmarshal into map[string][]string rejects
    [InlineData("""{"a":"b"}""")]
    [InlineData("""{"a":1}""")]
    [InlineData("""{"a":{}}""")]
    [InlineData("""{"a":true}""")]
    [InlineData("""[1]""")]
    [InlineData("""[]""")]
    [InlineData("\"s\"")]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("""{"a":[1]}""")]
    [InlineData("""{"a":[true]}""")]
    [InlineData("""{"a":[[]]}""")]
    [InlineData("""{"a":[{}]}""")]
    [InlineData("""{"a":["b",2]}""")]
    [InlineData("""{"a":[],}""")]
    [InlineData("""{"a":[]} x""")]
    [InlineData("""{}{}""")]
    [InlineData("""null null""")]
    [InlineData("""{"a":["b""")]
    [InlineData("""{"a":""")]
    [InlineData("""{""")]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("""{"a":["\x"]}""")]
    [InlineData("""{"a":["\u12"]}""")]
    [InlineData("""{'a':[]}""")]
    [InlineData("""{"a":[]}//""")]
    public void Decoding_JsonThatIsNotAMapOfStringArrays_IsAnError(string json) => Faulty(Element(json));

    [Fact]
    public void Decoding_ControlCharactersAndByteOrderMarks_AreErrorsAsInGo()
    {
        Faulty(Element([.. "{\"a\":[\""u8.ToArray(), 0x01, .. "\"]}"u8.ToArray()]));
        Faulty(Element([.. "{\"a\":[\""u8.ToArray(), 0x09, .. "\"]}"u8.ToArray()]));
        Faulty(Element([0xEF, 0xBB, 0xBF, .. "{}"u8.ToArray()]));
        Faulty(Element([.. "{}"u8.ToArray(), 0xFF]));
        // DEL is not a control character to JSON.
        Assert.Equal(["\u007F"], Decoded(Element([.. "{\"a\":[\""u8.ToArray(), 0x7F, .. "\"]}"u8.ToArray()]))["a"]);
    }

    [Fact]
    public void Decoding_DeeplyNestedAndHugeInputs_DoNotThrow()
    {
        Faulty(Element("{\"a\":" + new string('[', 100_000)));
        Faulty(Element(new string('[', 10_000) + new string(']', 10_000)));
        Faulty(Element(new string('{', 100_000)));
        Faulty(Element("{\"a\":[\"" + new string('x', 1_000_000)));

        var many = "{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\":[\"\\ud800{i}\"]")) + "}";
        var headers = Decoded(Element(many));
        Assert.Equal(50_000, headers.Count);
        Assert.Equal(["\uFFFD49999"], headers["k49999"]);

        var longValue = string.Concat(Enumerable.Repeat("\\udc00\\ud83d\\ude00", 100_000));
        Assert.Equal([string.Concat(Enumerable.Repeat("\uFFFD\U0001F600", 100_000))], Decoded(Element("{\"a\":[\"" + longValue + "\"]}"))["a"]);

        var invalid = Enumerable.Repeat((byte)0xFF, 1_000_000).ToArray();
        Assert.Equal([new string('\uFFFD', 1_000_000)], Decoded(Element([.. "{\"a\":[\""u8.ToArray(), .. invalid, .. "\"]}"u8.ToArray()]))["a"]);
    }

    [Fact]
    public void Decoding_RandomHeaderBytes_NeverThrow()
    {
        // Escapes, surrogate halves and broken UTF-8 inside well-formed strings reach the unquoting;
        // random punctuation around them reaches the structure checks.
        byte[][] pieces =
        [
            "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\ud83d"u8.ToArray(), "\\ude00"u8.ToArray(), "\\u00e9"u8.ToArray(),
            "\\n"u8.ToArray(), "\\\""u8.ToArray(), "\\"u8.ToArray(), "\\u"u8.ToArray(), "x"u8.ToArray(), "\""u8.ToArray(),
            [0xFF], [0xED, 0xA0, 0x80], [0xF0, 0x9F], [0xC3], [0x80], [0x01], [0x7F],
        ];
        byte[] punctuation = [.. "{}[],:\" nul"u8.ToArray()];
        var random = new Random(20260101);
        byte[] Text()
        {
            var text = new List<byte>();
            for (var n = random.Next(0, 6); n > 0; n--) text.AddRange(pieces[random.Next(pieces.Length)]);
            return [.. text];
        }
        for (var i = 0; i < 20_000; i++)
        {
            byte[] json = (i % 4) switch
            {
                0 => [.. "{\""u8.ToArray(), .. Text(), .. "\":[\""u8.ToArray(), .. Text(), .. "\",\""u8.ToArray(), .. Text(), .. "\"]}"u8.ToArray()],
                1 => [.. "{\"a\":[\""u8.ToArray(), .. Text(), .. "\"]}"u8.ToArray()],
                2 => [.. "{\""u8.ToArray(), .. Text(), .. "\":null}"u8.ToArray()],
                _ => Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(3) == 0 ? pieces[random.Next(pieces.Length)] : [punctuation[random.Next(punctuation.Length)]]).SelectMany(b => b).ToArray(),
            };
            var ok = HeaderCodec.TryDecode(Element(json), out var headers, out var payload, out var error);
            Assert.True(ok ? error is null && payload.Length == 1 : error is not null && headers.Count == 0 && payload.Length == 0,
                $"inconsistent result for {Convert.ToHexString(json)}");
        }
    }
}
