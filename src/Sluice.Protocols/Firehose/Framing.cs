using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// Voltlane framing (docs/protocols/firehose.md, "Framing"): every packet on both links is
/// <c>u32 little-endian length | length bytes</c>; the length excludes itself.
/// </summary>
public static class Framing
{
    /// <summary>Bytes of the length prefix.</summary>
    public const int HeaderSize = 4;

    /// <summary>
    /// Takes one frame off the front of <paramref name="buffer"/>. A length above
    /// <paramref name="maxPayload"/> is reported before its bytes arrive, so an oversized prefix
    /// never makes anyone buffer it.
    /// </summary>
    public static FrameReadResult TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxPayload, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return FrameReadResult.Incomplete;
        }

        var length = ReadLength(buffer);
        if (length > (uint)maxPayload)
        {
            return FrameReadResult.TooLarge;
        }

        if (buffer.Length - HeaderSize < length)
        {
            return FrameReadResult.Incomplete;
        }

        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return FrameReadResult.Frame;
    }

    /// <summary>
    /// The span form of <see cref="TryReadFrame(ref ReadOnlySequence{byte}, int, out ReadOnlySequence{byte})"/>
    /// for a contiguous receive buffer: on <see cref="FrameReadResult.Frame"/> the frame is
    /// <c>buffer[..(HeaderSize + payloadLength)]</c>; on <see cref="FrameReadResult.Incomplete"/>
    /// <paramref name="payloadLength"/> is the announced length once the prefix is in (else -1).
    /// </summary>
    public static FrameReadResult TryReadFrame(ReadOnlySpan<byte> buffer, int maxPayload, out int payloadLength)
    {
        payloadLength = -1;
        if (buffer.Length < HeaderSize)
        {
            return FrameReadResult.Incomplete;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if (length > (uint)maxPayload)
        {
            return FrameReadResult.TooLarge;
        }

        payloadLength = (int)length;
        return buffer.Length - HeaderSize < payloadLength ? FrameReadResult.Incomplete : FrameReadResult.Frame;
    }

    /// <summary>The length prefix at the start of <paramref name="buffer"/> (at least 4 bytes).</summary>
    public static uint ReadLength(in ReadOnlySequence<byte> buffer)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= HeaderSize)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(first);
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        return BinaryPrimitives.ReadUInt32LittleEndian(header);
    }

    /// <summary>Writes one frame carrying <paramref name="payload"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        var span = writer.GetSpan(HeaderSize + payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payload.Length);
        payload.CopyTo(span[HeaderSize..]);
        writer.Advance(HeaderSize + payload.Length);
    }

    /// <summary>Writes one frame carrying <paramref name="payload"/>, which may span segments.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, in ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var span = writer.GetSpan(HeaderSize + length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)length);
        payload.CopyTo(span[HeaderSize..]);
        writer.Advance(HeaderSize + length);
    }
}
