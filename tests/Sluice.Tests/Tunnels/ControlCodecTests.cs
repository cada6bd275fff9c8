using System.Buffers;
using Sluice.Protocols.Tunnels;

namespace Sluice.Tests.Tunnels;

public sealed class ControlCodecTests
{
    private static readonly ControlMessage[] All =
    [
        new HelloMessage(1, "office"),
        new ChallengeMessage(1, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()),
        new AuthProofMessage(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray()),
        new WelcomeMessage(15_000),
        new RegisterMessage([new TunnelRequest("redis", 20001), new TunnelRequest("web", 20002)]),
        new RegisterResultMessage([new TunnelResult("redis", RegisterStatus.Ok, 20001, "0.0.0.0:20001"), new TunnelResult("web", RegisterStatus.NotAllowed, 20002, "port 20002 is not in allow_ports")]),
        new HeartbeatMessage(ulong.MaxValue - 1),
        new ErrorMessage(ControlErrorCode.AuthenticationFailed, "authentication failed"),
    ];

    public static TheoryData<int> Messages => new(Enumerable.Range(0, All.Length));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_round_trips(int index)
    {
        var message = All[index];
        var bytes = Encode(message);
        var status = ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out var parsed, out var consumed, out var error);

        Assert.Equal(ParseStatus.Done, status);
        Assert.Null(error);
        Assert.Equal(bytes.Length, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
        Assert.Equal(Describe(message), Describe(parsed!));
    }

    [Fact]
    public void Hello_has_the_documented_layout()
    {
        // type 0x01, reserved 0, length 9; version 1; name "office" as u8 length + UTF-8.
        var expected = new byte[] { 0x01, 0x00, 0x00, 0x09, 0x00, 0x01, 0x06, (byte)'o', (byte)'f', (byte)'f', (byte)'i', (byte)'c', (byte)'e' };
        Assert.Equal(expected, Encode(new HelloMessage(1, "office")));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_prefix_is_incomplete_not_invalid(int index)
    {
        var message = All[index];
        var bytes = Encode(message);
        for (var length = 0; length < bytes.Length; length++)
        {
            var status = ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _, out _);
            Assert.Equal(ParseStatus.Incomplete, status);
        }
    }

    [Fact]
    public void A_message_split_across_segments_parses()
    {
        var bytes = Encode(new RegisterMessage([new TunnelRequest("redis", 20001)]));
        var sequence = Segments.Split(bytes, 3);
        Assert.Equal(ParseStatus.Done, ControlCodec.TryRead(sequence, out var parsed, out _, out _));
        Assert.Equal(20001, ((RegisterMessage)parsed!).Tunnels[0].RemotePort);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0, 0, 0 }, "unknown control message type")]
    [InlineData(new byte[] { 0x0B, 0, 0, 0 }, "unknown control message type")]
    [InlineData(new byte[] { 0x47, 0x45, 0x54, 0x20 }, "unknown control message type")] // "GET "
    [InlineData(new byte[] { 0x01, 1, 0, 0 }, "reserved")]
    [InlineData(new byte[] { 0x01, 0, 0x20, 0x01 }, "exceeds the 8192-byte cap")]
    [InlineData(new byte[] { 0x07, 0, 0, 4, 1, 2, 3, 4 }, "malformed Heartbeat")]
    [InlineData(new byte[] { 0x04, 0, 0, 5, 0, 0, 0, 1, 9 }, "beyond its fields")]
    [InlineData(new byte[] { 0x01, 0, 0, 4, 0, 1, 2, 0xFF }, "malformed Hello")]
    public void Malformed_input_is_invalid_with_a_reason(byte[] bytes, string reason)
    {
        var status = ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _, out var error);
        Assert.Equal(ParseStatus.Invalid, status);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_register_claiming_more_tunnels_than_the_cap_is_invalid()
    {
        var bytes = new byte[] { 0x05, 0, 0, 2, 0x01, 0x01 }; // count 257
        Assert.Equal(ParseStatus.Invalid, ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _, out _));
    }

    [Fact]
    public void Writing_an_oversized_reason_truncates_it_to_the_wire_limit()
    {
        var bytes = Encode(new ErrorMessage(ControlErrorCode.ProtocolError, new string('x', 1000)));
        Assert.Equal(ParseStatus.Done, ControlCodec.TryRead(new ReadOnlySequence<byte>(bytes), out var parsed, out _, out _));
        Assert.True(((ErrorMessage)parsed!).Reason.Length <= 255);
    }

    private static byte[] Encode(ControlMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        ControlCodec.Write(message, writer);
        return writer.WrittenSpan.ToArray();
    }

    // Records holding arrays and lists compare by reference; compare their contents instead.
    private static string Describe(ControlMessage message) => message switch
    {
        ChallengeMessage c => $"challenge {c.Version} {Convert.ToHexString(c.Nonce)}",
        AuthProofMessage p => $"proof {Convert.ToHexString(p.Proof)}",
        RegisterMessage r => "register " + string.Join(",", r.Tunnels),
        RegisterResultMessage r => "result " + string.Join(",", r.Tunnels),
        _ => message.ToString(),
    };
}
