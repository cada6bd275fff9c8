using System.Buffers;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// Server → agent, first bytes on a forward stream: whether the destination was reached.
/// <code>
/// +--------+--------+--------+-----------+
/// | length | status | u8 len | reason    |   length = bytes after itself
/// +--------+--------+--------+-----------+
/// </code>
/// On <see cref="ForwardStatus.Ok"/> raw bytes follow; otherwise the server closes the stream.
/// </summary>
internal readonly record struct ForwardReply(ForwardStatus Status, string Reason)
{
    public static ParseStatus TryRead(in ReadOnlySequence<byte> buffer, out ForwardReply reply, out SequencePosition consumed, out string? error)
    {
        reply = default;
        var status = ShortFrame.TryRead(buffer, 2, "forward reply", out var frame, out consumed, out error);
        if (status != ParseStatus.Done)
        {
            return status;
        }

        var body = new SequenceReader<byte>(frame);
        body.TryRead(out var code);
        if (code > (byte)ForwardStatus.Failed || !WireStrings.TryRead(ref body, out var reason, out _) || !body.End)
        {
            consumed = buffer.Start;
            error = "malformed forward reply";
            return ParseStatus.Invalid;
        }

        reply = new ForwardReply((ForwardStatus)code, reason);
        return ParseStatus.Done;
    }

    public byte[] ToArray()
    {
        var body = new ArrayBufferWriter<byte>(64);
        WireStrings.WriteByte(body, (byte)Status);
        WireStrings.Write(body, WireStrings.Truncate(Reason));
        var result = new byte[1 + body.WrittenCount];
        result[0] = (byte)body.WrittenCount;
        body.WrittenSpan.CopyTo(result.AsSpan(1));
        return result;
    }
}
