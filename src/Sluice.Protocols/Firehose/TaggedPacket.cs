using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// Tagged packets on the gateway ↔ master link (docs/protocols/firehose.md, "Tagged packets"):
/// <code>
/// +--------------+------------------+---------+-------------+
/// | u32 LE len   | u64 LE client id | u8 flag | data...     |
/// +--------------+------------------+---------+-------------+
///                 \_________________ len bytes _____________/
/// </code>
/// </summary>
public static class TaggedPacket
{
    /// <summary>Bytes of client id and flag.</summary>
    public const int HeaderSize = 9;

    /// <summary>Bytes before the data, length prefix included.</summary>
    public const int FrameOverhead = Framing.HeaderSize + HeaderSize;

    /// <summary>Splits a frame payload into id, flag and data; false when shorter than the 9-byte header.</summary>
    public static bool TryParse(ReadOnlySequence<byte> payload, out ulong clientId, out TaggedFlags flags, out ReadOnlySequence<byte> data)
    {
        clientId = 0;
        flags = default;
        data = default;
        if (payload.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        payload.Slice(0, HeaderSize).CopyTo(header);
        TryParseHeader(header, out clientId, out flags);
        data = payload.Slice(HeaderSize);
        return true;
    }

    /// <summary>The id and flag at the start of a contiguous frame payload (the data follows at
    /// <see cref="HeaderSize"/>); false when shorter than the 9-byte header.</summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> payload, out ulong clientId, out TaggedFlags flags)
    {
        if (payload.Length < HeaderSize)
        {
            clientId = 0;
            flags = default;
            return false;
        }

        clientId = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        flags = (TaggedFlags)payload[8];
        return true;
    }

    /// <summary>Writes one tagged frame.</summary>
    public static void Write(IBufferWriter<byte> writer, ulong clientId, TaggedFlags flags, ReadOnlySpan<byte> data)
    {
        var span = writer.GetSpan(FrameOverhead + data.Length);
        WriteHeader(span, clientId, flags, data.Length);
        data.CopyTo(span[FrameOverhead..]);
        writer.Advance(FrameOverhead + data.Length);
    }

    /// <summary>Writes one tagged frame whose data may span segments.</summary>
    public static void Write(IBufferWriter<byte> writer, ulong clientId, TaggedFlags flags, in ReadOnlySequence<byte> data)
    {
        var length = checked((int)data.Length);
        var span = writer.GetSpan(FrameOverhead + length);
        WriteHeader(span, clientId, flags, length);
        data.CopyTo(span[FrameOverhead..]);
        writer.Advance(FrameOverhead + length);
    }

    /// <summary>Writes the 13 bytes in front of <paramref name="dataLength"/> bytes of data.</summary>
    public static void WriteHeader(Span<byte> destination, ulong clientId, TaggedFlags flags, int dataLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(HeaderSize + dataLength));
        BinaryPrimitives.WriteUInt64LittleEndian(destination[Framing.HeaderSize..], clientId);
        destination[Framing.HeaderSize + 8] = (byte)flags;
    }

    /// <summary>
    /// Reads a broadcast's data: the ids it names (empty = every connected client) and the message.
    /// False when the count does not fit the data.
    /// </summary>
    public static bool TryParseBroadcast(ReadOnlySequence<byte> data, out ReadOnlySequence<byte> ids, out int count, out ReadOnlySequence<byte> message)
    {
        ids = default;
        message = default;
        count = 0;
        if (data.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        data.Slice(0, 4).CopyTo(prefix);
        var n = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (n > (data.Length - 4) / 8)
        {
            return false;
        }

        count = (int)n;
        ids = data.Slice(4, count * 8L);
        message = data.Slice(ids.End);
        return true;
    }

    /// <summary>Writes a broadcast frame (client id 0) to <paramref name="clientIds"/> (empty = all).</summary>
    public static void WriteBroadcast(IBufferWriter<byte> writer, ReadOnlySpan<ulong> clientIds, ReadOnlySpan<byte> message)
    {
        var dataLength = 4 + (clientIds.Length * 8) + message.Length;
        var span = writer.GetSpan(FrameOverhead + dataLength);
        WriteHeader(span, 0, TaggedFlags.Broadcast, dataLength);
        var rest = span[FrameOverhead..];
        BinaryPrimitives.WriteUInt32LittleEndian(rest, (uint)clientIds.Length);
        for (var i = 0; i < clientIds.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(rest[(4 + (i * 8))..], clientIds[i]);
        }

        message.CopyTo(rest[(4 + (clientIds.Length * 8))..]);
        writer.Advance(FrameOverhead + dataLength);
    }
}
