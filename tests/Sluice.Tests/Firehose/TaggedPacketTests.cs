using System.Buffers;
using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

/// <summary>Byte vectors for the master link's tagged packets (docs/protocols/firehose.md, "Tagged packets").</summary>
public sealed class TaggedPacketTests
{
    private const ulong Id = 0x0102030405060708;

    [Theory]
    [InlineData(TaggedFlags.Data, "6869", "0B000000" + "0807060504030201" + "00" + "6869")]
    [InlineData(TaggedFlags.Failure, "436C69656E74206E6F7420666F756E64", "19000000" + "0807060504030201" + "01" + "436C69656E74206E6F7420666F756E64")]
    [InlineData(TaggedFlags.Kick, "", "09000000" + "0807060504030201" + "02")]
    [InlineData(TaggedFlags.Reconnected, "", "09000000" + "0807060504030201" + "03")]
    [InlineData(TaggedFlags.Connected, "313237", "0C000000" + "0807060504030201" + "04" + "313237")]
    [InlineData(TaggedFlags.Disconnected, "656F66", "0C000000" + "0807060504030201" + "05" + "656F66")]
    public void Write_GivesTheVector_AndParseGivesItBack(TaggedFlags flags, string dataHex, string frameHex)
    {
        var writer = new ArrayBufferWriter<byte>();
        TaggedPacket.Write(writer, Id, flags, Convert.FromHexString(dataHex));
        Assert.Equal(frameHex, Convert.ToHexString(writer.WrittenSpan));

        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.Equal(FrameReadResult.Frame, Framing.TryReadFrame(ref buffer, 1024, out var payload));
        Assert.True(buffer.IsEmpty);
        Assert.True(TaggedPacket.TryParse(payload, out var id, out var parsedFlags, out var data));
        Assert.Equal((Id, flags, dataHex), (id, parsedFlags, Convert.ToHexString(data.ToArray())));
    }

    [Fact]
    public void Broadcast_ToTwoIds_HasCountIdsThenMessage()
    {
        var writer = new ArrayBufferWriter<byte>();
        TaggedPacket.WriteBroadcast(writer, [1, 2], "x"u8);
        Assert.Equal(
            "1E000000" + "0000000000000000" + "06" + "02000000" + "0100000000000000" + "0200000000000000" + "78",
            Convert.ToHexString(writer.WrittenSpan));

        var payload = new ReadOnlySequence<byte>(writer.WrittenMemory[4..]);
        Assert.True(TaggedPacket.TryParse(payload, out _, out var flags, out var data));
        Assert.Equal(TaggedFlags.Broadcast, flags);
        Assert.True(TaggedPacket.TryParseBroadcast(data, out var ids, out var count, out var message));
        Assert.Equal(2, count);
        Assert.Equal("01000000000000000200000000000000", Convert.ToHexString(ids.ToArray()));
        Assert.Equal("x"u8.ToArray(), message.ToArray());
    }

    [Fact]
    public void Broadcast_WhoseCountExceedsItsData_IsRefused()
    {
        var data = new ReadOnlySequence<byte>(Convert.FromHexString("03000000" + "0100000000000000"));
        Assert.False(TaggedPacket.TryParseBroadcast(data, out _, out _, out _));
    }

    [Fact]
    public void Parse_ShorterThanTheTag_IsRefused()
    {
        Assert.False(TaggedPacket.TryParse(new ReadOnlySequence<byte>(new byte[8]), out _, out _, out _));
    }

    [Fact]
    public void ParseHeader_ReadsTheLittleEndianIdAndTheFlag_AndRefusesAShortPayload()
    {
        var payload = Convert.FromHexString("0201000000000080" + "02" + "6869");
        Assert.True(TaggedPacket.TryParseHeader(payload, out var id, out var flags));
        Assert.Equal(0x8000_0000_0000_0102UL, id);
        Assert.Equal(TaggedFlags.Kick, flags);
        Assert.False(TaggedPacket.TryParseHeader(payload.AsSpan(0, 8), out _, out _));
    }
}
