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
}
