using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Protocols.Multiplexing;

/// <summary>
/// The 12-byte yamux frame header, big-endian (docs/protocols/tunnel.md, "Frame header").
/// <code>
///  0               1               2               3
///  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
/// +---------------+---------------+-------------------------------+
/// |  Version (0)  |     Type      |             Flags             |
/// +---------------+---------------+-------------------------------+
/// |                           Stream ID                           |
/// +---------------------------------------------------------------+
/// |                            Length                             |
/// +---------------------------------------------------------------+
/// </code>
/// </summary>
internal readonly struct FrameHeader : IEquatable<FrameHeader>
{
    public const int Size = 12;
    public const byte ProtocolVersion = 0;

    public FrameHeader(FrameType type, FrameFlags flags, uint streamId, uint length)
    {
        Type = type;
        Flags = flags;
        StreamId = streamId;
        Length = length;
    }

    public byte Version => ProtocolVersion;

    public FrameType Type { get; }

    public FrameFlags Flags { get; }

    public uint StreamId { get; }

    /// <summary>Data: payload size; window update: credit delta; ping: opaque value; go-away: code.</summary>
    public uint Length { get; }

    public bool HasFlag(FrameFlags flag) => (Flags & flag) == flag;

    /// <summary>Reads a header from the first 12 bytes; validates version and type.</summary>
    public static FrameParseStatus TryParse(ReadOnlySpan<byte> source, out FrameHeader header)
    {
        header = default;
        if (source.Length < Size)
        {
            return FrameParseStatus.Incomplete;
        }

        if (source[0] != ProtocolVersion)
        {
            return FrameParseStatus.UnsupportedVersion;
        }

        if (source[1] > (byte)FrameType.GoAway)
        {
            return FrameParseStatus.UnknownType;
        }

        header = new FrameHeader(
            (FrameType)source[1],
            (FrameFlags)BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
        return FrameParseStatus.Ok;
    }

    /// <summary>Reads a header from the start of a sequence (it may span segments).</summary>
    public static FrameParseStatus TryParse(in ReadOnlySequence<byte> source, out FrameHeader header)
    {
        if (source.FirstSpan.Length >= Size)
        {
            return TryParse(source.FirstSpan, out header);
        }

        if (source.Length < Size)
        {
            header = default;
            return FrameParseStatus.Incomplete;
        }

        Span<byte> bytes = stackalloc byte[Size];
        source.Slice(0, Size).CopyTo(bytes);
        return TryParse(bytes, out header);
    }

    /// <summary>Writes the 12 header bytes into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size);
        destination[0] = ProtocolVersion;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Length);
    }

    public void Write(IBufferWriter<byte> writer)
    {
        Write(writer.GetSpan(Size));
        writer.Advance(Size);
    }

    public bool Equals(FrameHeader other) =>
        Type == other.Type && Flags == other.Flags && StreamId == other.StreamId && Length == other.Length;

    public override bool Equals(object? obj) => obj is FrameHeader other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Type, Flags, StreamId, Length);

    public static bool operator ==(FrameHeader left, FrameHeader right) => left.Equals(right);

    public static bool operator !=(FrameHeader left, FrameHeader right) => !left.Equals(right);

    public override string ToString() => $"{Type} flags={Flags} stream={StreamId} length={Length}";
}
