using System.Buffers;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// The header that opens every data stream, then raw bytes follow (docs/protocols/tunnel-control.md, "Data streams"):
/// <code>
/// +--------+--------+-----------------+
/// | length | kind   | body            |   length = bytes after itself (kind + body), 2..258
/// +--------+--------+-----------------+
/// Reverse body: u8 len, tunnel name
/// Forward body: u8 len, host (IP literal or DNS name), u16 port
/// </code>
/// Length-prefixed so a reader takes exactly the header and not one byte of the data after it.
/// </summary>
internal readonly record struct StreamHeader(StreamKind Kind, string Target, ushort Port)
{
    public const int MaxLength = 1 + 1 + 1 + WireStrings.MaxBytes + 2;

    public static StreamHeader Reverse(string tunnel) => new(StreamKind.Reverse, tunnel, 0);

    public static StreamHeader Forward(string host, ushort port) => new(StreamKind.Forward, host, port);

    /// <summary>Parses header bytes (the length byte included); Invalid for anything but an exact, well-formed header.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> buffer, out StreamHeader header, out SequencePosition consumed, out string? error)
    {
        header = default;
        consumed = buffer.Start;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var length))
        {
            return ParseStatus.Incomplete;
        }

        if (length < 2)
        {
            error = $"stream header length {length} is too short";
            return ParseStatus.Invalid;
        }

        if (reader.Remaining < length)
        {
            return ParseStatus.Incomplete;
        }

        var body = new SequenceReader<byte>(buffer.Slice(1, length));
        body.TryRead(out var kind);
        string target;
        ushort port = 0;
        switch ((StreamKind)kind)
        {
            case StreamKind.Reverse:
                if (!WireStrings.TryRead(ref body, out target, out _) || target.Length == 0)
                {
                    error = "malformed reverse stream header";
                    return ParseStatus.Invalid;
                }

                break;
            case StreamKind.Forward:
                if (!WireStrings.TryRead(ref body, out target, out _) || target.Length == 0 || !body.TryReadBigEndian(out short p) || p == 0)
                {
                    error = "malformed forward stream header";
                    return ParseStatus.Invalid;
                }

                port = (ushort)p;
                break;
            default:
                error = $"unknown stream kind 0x{kind:x2}";
                return ParseStatus.Invalid;
        }

        if (!body.End)
        {
            error = "stream header has bytes beyond its fields";
            return ParseStatus.Invalid;
        }

        header = new StreamHeader((StreamKind)kind, target, port);
        consumed = buffer.GetPosition(1 + length);
        return ParseStatus.Done;
    }

    public void Write(IBufferWriter<byte> writer)
    {
        var body = new ArrayBufferWriter<byte>(MaxLength);
        WireStrings.WriteByte(body, (byte)Kind);
        WireStrings.Write(body, Target);
        if (Kind == StreamKind.Forward)
        {
            WireStrings.WriteUInt16(body, Port);
        }

        WireStrings.WriteByte(writer, (byte)body.WrittenCount);
        writer.Write(body.WrittenSpan);
    }

    /// <summary>The header as one array, for a single write on a fresh stream.</summary>
    public byte[] ToArray()
    {
        var writer = new ArrayBufferWriter<byte>(MaxLength);
        Write(writer);
        return writer.WrittenSpan.ToArray();
    }
}
