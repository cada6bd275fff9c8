using System.Buffers;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// The header that opens every data stream, then raw bytes follow (docs/protocols/tunnel.md, "Data streams"):
/// <code>
/// +--------+--------+-----------------+
/// | length | kind   | body            |   length = bytes after itself (kind + body), 1..258
/// +--------+--------+-----------------+
/// Reverse body: u8 len, tunnel name
/// Forward body: u8 len, host (IP literal or DNS name), u16 port
/// Inspect body: none
/// </code>
/// Length-prefixed so a reader takes exactly the header and not one byte of the data after it.
/// </summary>
internal readonly record struct StreamHeader(StreamKind Kind, string Target, ushort Port)
{
    public const int MaxLength = 1 + 1 + 1 + WireStrings.MaxBytes + 2;

    public static StreamHeader Reverse(string tunnel) => new(StreamKind.Reverse, tunnel, 0);

    public static StreamHeader Forward(string host, ushort port) => new(StreamKind.Forward, host, port);

    public static StreamHeader Inspect() => new(StreamKind.Inspect, string.Empty, 0);

    /// <summary>Parses header bytes (the length byte included); Invalid for anything but an exact, well-formed header.</summary>
    public static ParseStatus TryRead(in ReadOnlySequence<byte> buffer, out StreamHeader header, out SequencePosition consumed, out string? error)
    {
        header = default;
        var status = ShortFrame.TryRead(buffer, 1, "stream header", out var frame, out consumed, out error);
        if (status != ParseStatus.Done)
        {
            return status;
        }

        var body = new SequenceReader<byte>(frame);
        body.TryRead(out var kind);
        string target;
        ushort port = 0;
        switch ((StreamKind)kind)
        {
            case StreamKind.Reverse:
                if (!WireStrings.TryRead(ref body, out target, out _) || target.Length == 0)
                {
                    return Fail("malformed reverse stream header", buffer, out consumed, out error);
                }

                break;
            case StreamKind.Forward:
                if (!WireStrings.TryRead(ref body, out target, out _) || target.Length == 0 || !body.TryReadBigEndian(out short p) || p == 0)
                {
                    return Fail("malformed forward stream header", buffer, out consumed, out error);
                }

                port = (ushort)p;
                break;
            case StreamKind.Inspect:
                target = string.Empty;
                break;
            default:
                return Fail($"unknown stream kind 0x{kind:x2}", buffer, out consumed, out error);
        }

        if (!body.End)
        {
            return Fail("stream header has bytes beyond its fields", buffer, out consumed, out error);
        }

        header = new StreamHeader((StreamKind)kind, target, port);
        return ParseStatus.Done;
    }

    private static ParseStatus Fail(string reason, in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out string? error)
    {
        consumed = buffer.Start;
        error = reason;
        return ParseStatus.Invalid;
    }

    public void Write(IBufferWriter<byte> writer)
    {
        var body = new ArrayBufferWriter<byte>(MaxLength);
        WireStrings.WriteByte(body, (byte)Kind);
        if (Kind != StreamKind.Inspect)
        {
            WireStrings.Write(body, Target);
        }

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
