using System.Buffers;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tests.Tunnels;

/// <summary>Protocol v2: RegisterHttp, RegisterHttpResult and the inspect stream header.</summary>
public sealed class HttpControlCodecTests
{
    private static readonly byte[] HashA = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
    private static readonly byte[] HashB = [.. Enumerable.Range(200, 32).Select(i => (byte)i)];

    private static readonly ControlMessage[] All =
    [
        new RegisterHttpMessage(
        [
            new HttpTunnelRequest("web", "office", HttpAuthKind.None, string.Empty, [], string.Empty, Inspect: false, CaptureBytes: 0),
            new HttpTunnelRequest("shop", "shop.example.org", HttpAuthKind.Basic, "Authorization", HashA, "localhost:3000", Inspect: true, CaptureBytes: 65_536),
            new HttpTunnelRequest("api", "api", HttpAuthKind.Header, "X-Tunnel-Token", HashB, string.Empty, Inspect: true, CaptureBytes: uint.MaxValue),
        ]),
        new RegisterHttpMessage([]),
        new RegisterHttpResultMessage(
        [
            new HttpTunnelResult("web", RegisterStatus.Ok, "http://office.tunnel.test:8080"),
            new HttpTunnelResult("shop", RegisterStatus.NotAllowed, "host shop.example.org is not in allow_hosts"),
            new HttpTunnelResult("api", RegisterStatus.Unavailable, "host api.tunnel.test is held by agent \"lab\""),
        ]),
    ];

    public static TheoryData<int> Messages => new(Enumerable.Range(0, All.Length));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_http_message_round_trips(int index)
    {
        var bytes = Encode(All[index]);
        var status = ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out var parsed, out var consumed, out var error);

        Assert.Equal(ParseStatus.Done, status);
        Assert.Null(error);
        Assert.Equal(bytes.Length, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
        Assert.Equal(Describe(All[index]), Describe(parsed!));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_prefix_of_an_http_message_is_incomplete(int index)
    {
        var bytes = Encode(All[index]);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(ParseStatus.Incomplete, ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _, out _));
        }
    }

    [Fact]
    public void A_register_http_split_across_one_byte_segments_parses()
    {
        var bytes = Encode(All[0]);
        Assert.Equal(ParseStatus.Done, ControlCodec.TryRead(Segments.Split(bytes, 1), out var parsed, out _, out _));
        Assert.Equal(Describe(All[0]), Describe(parsed!));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_payload_cut_short_with_a_matching_length_is_invalid_at_every_cut(int index)
    {
        // The frame is complete but its payload ends inside a field: malformed, never a shorter message.
        var payload = Encode(All[index])[ControlCodec.HeaderLength..];
        for (var cut = 0; cut < payload.Length; cut++)
        {
            var frame = Frame(All[index].Type, payload[..cut]);
            Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error));
            Assert.Contains($"malformed {All[index].Type}", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_register_http_with_a_byte_beyond_its_fields_is_invalid()
    {
        var payload = Encode(All[0])[ControlCodec.HeaderLength..];
        var frame = Frame(ControlMessageType.RegisterHttp, [.. payload, 0]);
        Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error));
        Assert.Contains("1 bytes beyond its fields", error, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[]> MalformedRegisterHttp => new()
    {
        { "auth kind 3 is unknown", Tunnel(auth: 3, header: "X-Token", hash: HashA) },
        { "inspect flag 2", Tunnel(inspect: 2) },
        { "inspect flag 255", Tunnel(inspect: 255) },
        { "basic auth with a 31-byte hash", Tunnel(auth: 1, header: "Authorization", hash: HashA[..31]) },
        { "header auth with no hash at all", Tunnel(auth: 2, header: "X-Token", hash: []) },
        { "header auth with an empty header name", Tunnel(auth: 2, header: string.Empty, hash: HashA) },
    };

    [Theory]
    [MemberData(nameof(MalformedRegisterHttp))]
    public void A_malformed_register_http_tunnel_is_invalid(string why, byte[] payload)
    {
        var frame = Frame(ControlMessageType.RegisterHttp, payload);
        var status = ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error);
        Assert.True(status == ParseStatus.Invalid, why);
        Assert.Contains("malformed RegisterHttp", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_hand_built_tunnel_parses_when_well_formed()
    {
        // Guards the rejection cases above: they differ from this one only in the field they break.
        var frame = Frame(ControlMessageType.RegisterHttp, Tunnel(auth: 2, header: "X-Token", hash: HashA, inspect: 1));
        Assert.Equal(ParseStatus.Done, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out var parsed, out _, out _));
        var tunnel = Assert.Single(((RegisterHttpMessage)parsed!).Tunnels);
        Assert.Equal((HttpAuthKind.Header, "X-Token", true, 4096u), (tunnel.AuthKind, tunnel.AuthHeader, tunnel.Inspect, tunnel.CaptureBytes));
        Assert.Equal(HashA, tunnel.AuthHash);
    }

    [Fact]
    public void A_result_with_an_unknown_status_is_invalid()
    {
        byte[] payload = [0, 1, 3, (byte)'w', (byte)'e', (byte)'b', 4, 0];
        var frame = Frame(ControlMessageType.RegisterHttpResult, payload);
        Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error));
        Assert.Contains("malformed RegisterHttpResult", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)ControlMessageType.RegisterHttp)]
    [InlineData((byte)ControlMessageType.RegisterHttpResult)]
    public void A_count_above_the_tunnel_cap_is_invalid_before_any_tunnel_is_read(byte typeByte)
    {
        var type = (ControlMessageType)typeByte;
        var frame = Frame(type, [0x01, 0x01]); // count 257, no tunnels follow
        Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error));
        Assert.Contains($"malformed {type}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_more_http_tunnels_than_the_cap_throws()
    {
        var tunnels = Enumerable.Range(0, ControlCodec.MaxTunnels + 1)
            .Select(i => new HttpTunnelRequest($"t{i}", $"h{i}", HttpAuthKind.None, string.Empty, [], string.Empty, false, 0))
            .ToArray();
        var ex = Assert.Throws<ArgumentException>(() => Encode(new RegisterHttpMessage(tunnels)));
        Assert.Contains("at most 256 HTTP tunnels", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((byte)HttpAuthKind.Basic, 31)]
    [InlineData((byte)HttpAuthKind.Header, 33)]
    [InlineData((byte)HttpAuthKind.Header, 0)]
    public void Writing_an_auth_hash_of_the_wrong_length_throws(byte kind, int length)
    {
        var message = new RegisterHttpMessage([new HttpTunnelRequest("web", "office", (HttpAuthKind)kind, "X-Token", new byte[length], string.Empty, false, 0)]);
        var ex = Assert.Throws<ArgumentException>(() => Encode(message));
        Assert.Contains($"auth hash must be 32 bytes, got {length}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_auth_neither_header_nor_hash_goes_on_the_wire()
    {
        // count 1; "w"; "h"; auth 0; host header ""; inspect 0; capture 0.
        var bytes = Encode(new RegisterHttpMessage([new HttpTunnelRequest("w", "h", HttpAuthKind.None, "ignored", HashA, string.Empty, false, 0)]));
        Assert.Equal(new byte[] { 0x09, 0, 0, 13, 0, 1, 1, (byte)'w', 1, (byte)'h', 0, 0, 0, 0, 0, 0, 0 }, bytes);
    }

    [Fact]
    public void A_result_detail_longer_than_the_wire_limit_is_truncated()
    {
        var bytes = Encode(new RegisterHttpResultMessage([new HttpTunnelResult("web", RegisterStatus.Invalid, new string('x', 1000))]));
        Assert.Equal(ParseStatus.Done, ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out var parsed, out _, out _));
        Assert.EndsWith("...", ((RegisterHttpResultMessage)parsed!).Tunnels[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_type_after_register_http_result_is_unknown()
    {
        byte[] frame = [(byte)ControlMessageType.RegisterHttpResult + 1, 0, 0, 0];
        Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(frame), out _, out _, out var error));
        Assert.Contains("unknown control message type 0x0b", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inspect_stream_header_is_kind_3_with_no_body_and_round_trips()
    {
        var bytes = StreamHeader.Inspect().ToArray();
        Assert.Equal(new byte[] { 1, 0x03 }, bytes);

        var sequence = new ReadOnlySequence<byte>([.. bytes, .. "{\"frame\":1}"u8.ToArray()]);
        Assert.Equal(ParseStatus.Done, StreamHeader.TryRead(sequence, out var header, out var consumed, out var error));
        Assert.Null(error);
        Assert.Equal(StreamKind.Inspect, header.Kind);
        Assert.Equal(string.Empty, header.Target);
        Assert.Equal(2, sequence.Slice(0, consumed).Length);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0x03, 0 })]
    [InlineData(new byte[] { 7, 0x03, 5, (byte)'o', (byte)'f', (byte)'f', (byte)'i', (byte)'c' })]
    public void An_inspect_header_with_bytes_beyond_its_kind_is_invalid(byte[] bytes)
    {
        Assert.Equal(ParseStatus.Invalid, StreamHeader.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _, out var error));
        Assert.Contains("beyond its fields", error, StringComparison.Ordinal);
    }

    /// <summary>A RegisterHttp payload with one tunnel "web" → "office", built field by field so one field can be broken.</summary>
    private static byte[] Tunnel(byte auth = 0, string header = "", byte[]? hash = null, byte inspect = 0)
    {
        var writer = new ArrayBufferWriter<byte>();
        WireStrings.WriteUInt16(writer, 1);
        WireStrings.Write(writer, "web");
        WireStrings.Write(writer, "office");
        WireStrings.WriteByte(writer, auth);
        if (auth != 0)
        {
            WireStrings.Write(writer, header);
            writer.Write(hash ?? []);
        }

        WireStrings.Write(writer, string.Empty);
        WireStrings.WriteByte(writer, inspect);
        WireStrings.WriteUInt32(writer, 4096);
        return writer.WrittenSpan.ToArray();
    }

    private static byte[] Frame(ControlMessageType type, byte[] payload) =>
        [(byte)type, 0, (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];

    private static byte[] Encode(ControlMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        ControlCodec.Write(message, writer);
        return writer.WrittenSpan.ToArray();
    }

    // Records holding arrays and lists compare by reference; compare their contents instead.
    private static string Describe(ControlMessage message) => message switch
    {
        RegisterHttpMessage r => "register-http " + string.Join(",", r.Tunnels.Select(t => $"{t with { AuthHash = [] }} {Convert.ToHexString(t.AuthHash)}")),
        RegisterHttpResultMessage r => "http-result " + string.Join(",", r.Tunnels),
        _ => message.ToString(),
    };
}
