using System.Buffers;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Tests.Multiplexing;

/// <summary>The 12-byte header, byte for byte as yamux's spec.md lays it out (docs/protocols/tunnel.md, "Frame header").</summary>
public sealed class FrameHeaderTests
{
    public static TheoryData<byte, ushort, uint, uint, string> Vectors => new()
    {
        // type, flags, stream id, length -> hex of the 12 bytes
        { (byte)FrameType.Data, (ushort)(FrameFlags.None), 1, 5, "000000000000000100000005" },
        { (byte)FrameType.Data, (ushort)(FrameFlags.Syn), 1, 0, "000000010000000100000000" },
        { (byte)FrameType.Data, (ushort)(FrameFlags.Ack), 2, 16, "000000020000000200000010" },
        { (byte)FrameType.Data, (ushort)(FrameFlags.Fin), 3, 1, "000000040000000300000001" },
        { (byte)FrameType.Data, (ushort)(FrameFlags.Rst), 4, 0, "000000080000000400000000" },
        { (byte)FrameType.Data, (ushort)(FrameFlags.Syn | FrameFlags.Fin), 0x01020304, 0xA0B0C0D0, "0000000501020304A0B0C0D0" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.Syn), 1, 786432, "0001000100000001000C0000" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.Ack), 2, 786432, "0001000200000002000C0000" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.Fin), 5, 0, "000100040000000500000000" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.Rst), 7, 0, "000100080000000700000000" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.None), 9, 262144, "000100000000000900040000" },
        { (byte)FrameType.WindowUpdate, (ushort)(FrameFlags.Ack | FrameFlags.Rst), 0xFFFFFFFF, 0xFFFFFFFF, "0001000AFFFFFFFFFFFFFFFF" },
        { (byte)FrameType.Ping, (ushort)(FrameFlags.Syn), 0, 42, "00020001000000000000002A" },
        { (byte)FrameType.Ping, (ushort)(FrameFlags.Ack), 0, 42, "00020002000000000000002A" },
        { (byte)FrameType.GoAway, (ushort)(FrameFlags.None), 0, (uint)GoAwayCode.Normal, "000300000000000000000000" },
        { (byte)FrameType.GoAway, (ushort)(FrameFlags.None), 0, (uint)GoAwayCode.ProtocolError, "000300000000000000000001" },
        { (byte)FrameType.GoAway, (ushort)(FrameFlags.None), 0, (uint)GoAwayCode.InternalError, "000300000000000000000002" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Write_produces_the_big_endian_bytes(byte type, ushort flags, uint streamId, uint length, string hex)
    {
        var bytes = new byte[FrameHeader.Size];

        new FrameHeader((FrameType)type, (FrameFlags)flags, streamId, length).Write(bytes);

        Assert.Equal(hex, Convert.ToHexString(bytes));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void TryParse_reads_every_field_back(byte type, ushort flags, uint streamId, uint length, string hex)
    {
        var status = FrameHeader.TryParse(Convert.FromHexString(hex), out var header);

        Assert.Equal(FrameParseStatus.Ok, status);
        Assert.Equal(0, header.Version);
        Assert.Equal((FrameType)type, header.Type);
        Assert.Equal((FrameFlags)flags, header.Flags);
        Assert.Equal(streamId, header.StreamId);
        Assert.Equal(length, header.Length);
    }

    [Fact]
    public void TryParse_wants_all_twelve_bytes()
    {
        var bytes = Convert.FromHexString("000000000000000100000005");

        for (var n = 0; n < FrameHeader.Size; n++)
        {
            Assert.Equal(FrameParseStatus.Incomplete, FrameHeader.TryParse(bytes.AsSpan(0, n), out _));
        }
    }

    [Theory]
    [InlineData("010000000000000100000005", "UnsupportedVersion")]
    [InlineData("FF0000000000000100000005", "UnsupportedVersion")]
    [InlineData("000400000000000100000005", "UnknownType")]
    [InlineData("00FF00000000000100000005", "UnknownType")]
    public void TryParse_rejects_unknown_versions_and_types(string hex, string expected)
    {
        Assert.Equal(Enum.Parse<FrameParseStatus>(expected), FrameHeader.TryParse(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void TryParse_reads_a_header_split_across_sequence_segments()
    {
        var bytes = Convert.FromHexString("0001000100000003000C0000");
        var first = new Segment(bytes.AsMemory(0, 5));
        var last = first.Append(bytes.AsMemory(5));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.Equal(FrameParseStatus.Ok, FrameHeader.TryParse(sequence, out var header));
        Assert.Equal(new FrameHeader(FrameType.WindowUpdate, FrameFlags.Syn, 3, 786432), header);
        Assert.Equal(FrameParseStatus.Incomplete, FrameHeader.TryParse(sequence.Slice(0, 11), out _));
    }

    [Fact]
    public void Write_to_a_buffer_writer_appends_twelve_bytes()
    {
        var writer = new ArrayBufferWriter<byte>();

        new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, 7).Write(writer);
        new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, 1).Write(writer);

        Assert.Equal("000200010000000000000007" + "000300000000000000000001", Convert.ToHexString(writer.WrittenSpan));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory)
        {
            Memory = memory;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
