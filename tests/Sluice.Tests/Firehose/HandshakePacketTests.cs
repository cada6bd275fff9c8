using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

/// <summary>Byte vectors for the bincode-2 handshake packets (docs/protocols/firehose.md, "Handshake packets").</summary>
public sealed class HandshakePacketTests
{
    public static TheoryData<string, string> Vectors()
    {
        var key = "02" + string.Concat(Enumerable.Repeat("11", 32));
        var box = string.Concat(Enumerable.Range(0, 72).Select(i => i.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        return new TheoryData<string, string>
        {
            // name, whole frame (u32 LE length | payload)
            { "ping", "01000000" + "00" },
            { "version2", "02000000" + "01" + "02" },
            { "id250", "02000000" + "03" + "FA" },
            { "id251", "04000000" + "03" + "FBFB00" },
            { "id65535", "04000000" + "03" + "FBFFFF" },
            { "id65536", "06000000" + "03" + "FC00000100" },
            { "idMax", "0A000000" + "03" + "FDFFFFFFFFFFFFFFFF" },
            { "pubkey", "23000000" + "02" + "21" + key },
            { "challenge", "4A000000" + "04" + "48" + box },
            { "response", "05000000" + "05" + "03" + "AABBCC" },
        };
    }

    private static HandshakePacket Packet(string name) => name switch
    {
        "ping" => HandshakePacket.Ping(),
        "version2" => HandshakePacket.Version(2),
        "id250" => HandshakePacket.ClientId(250),
        "id251" => HandshakePacket.ClientId(251),
        "id65535" => HandshakePacket.ClientId(65535),
        "id65536" => HandshakePacket.ClientId(65536),
        "idMax" => HandshakePacket.ClientId(ulong.MaxValue),
        "pubkey" => HandshakePacket.PubKey(Convert.FromHexString("02" + string.Concat(Enumerable.Repeat("11", 32)))),
        "challenge" => HandshakePacket.Challenge(Enumerable.Range(0, 72).Select(i => (byte)i).ToArray()),
        "response" => HandshakePacket.ChallengeResponse(new byte[] { 0xAA, 0xBB, 0xCC }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Encode_GivesTheVectorBytes(string name, string frameHex)
    {
        Assert.Equal(frameHex, Convert.ToHexString(Packet(name).ToFrame()));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Parse_OfTheVector_GivesThePacketBack(string name, string frameHex)
    {
        var payload = Convert.FromHexString(frameHex)[4..];
        Assert.True(HandshakePacket.TryParse(payload, out var packet, out var error), error);
        var expected = Packet(name);
        Assert.Equal((expected.Kind, expected.Number), (packet.Kind, packet.Number));
        Assert.Equal(expected.Bytes.ToArray(), packet.Bytes.ToArray());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("06", "unknown handshake packet variant")]
    [InlineData("FE", "empty or truncated")]
    [InlineData("03FB01", "truncated number")]
    [InlineData("0102FF", "trailing bytes")]
    [InlineData("01FD0000000001000000", "does not fit a u32")]
    [InlineData("0221AABB", "truncated bytes")]
    [InlineData("02FB0010", "too long")]
    public void Parse_Malformed_SaysWhy(string payloadHex, string reason)
    {
        Assert.False(HandshakePacket.TryParse(Convert.FromHexString(payloadHex), out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFrame_TakesOnePacket_AndLeavesWhatFollows()
    {
        byte[] buffer = [.. HandshakePacket.ClientId(300).ToFrame(), 0xAA, 0xBB];

        Assert.Equal(FrameReadResult.Frame, HandshakePacket.TryReadFrame(buffer, out var packet, out var consumed, out var error));

        Assert.Null(error);
        Assert.Equal(HandshakePacketKind.ClientId, packet.Kind);
        Assert.Equal(300UL, packet.Number);
        Assert.Equal(buffer.Length - 2, consumed);
    }

    [Fact]
    public void ReadFrame_OfPartOfAFrame_IsIncomplete()
    {
        var frame = HandshakePacket.ClientId(300).ToFrame();

        Assert.Equal(FrameReadResult.Incomplete, HandshakePacket.TryReadFrame(frame.AsSpan(0, 3), out _, out _, out _));
        Assert.Equal(FrameReadResult.Incomplete, HandshakePacket.TryReadFrame(frame.AsSpan(0, frame.Length - 1), out _, out var consumed, out _));
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void ReadFrame_LongerThanTheCap_IsTooLarge_BeforeItsBytesArrive()
    {
        Assert.Equal(FrameReadResult.TooLarge, HandshakePacket.TryReadFrame([0x01, 0x02, 0x00, 0x00], out _, out _, out _));
    }

    [Fact]
    public void ReadFrame_WithAnUnparsablePayload_ConsumesIt_AndNamesTheError()
    {
        byte[] buffer = [0x01, 0x00, 0x00, 0x00, 0x09];

        Assert.Equal(FrameReadResult.Frame, HandshakePacket.TryReadFrame(buffer, out _, out var consumed, out var error));

        Assert.Equal(5, consumed);
        Assert.NotNull(error);
    }
}
