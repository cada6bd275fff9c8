using System.Buffers;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// The u8-length-prefixed preambles of data streams (stream header, forward reply): a length
/// byte, then that many bytes of body (at least <c>minLength</c>). Shared framing; each
/// preamble parses its own body.
/// </summary>
internal static class ShortFrame
{
    public static ParseStatus TryRead(in ReadOnlySequence<byte> buffer, int minLength, string what, out ReadOnlySequence<byte> body, out SequencePosition consumed, out string? error)
    {
        body = default;
        consumed = buffer.Start;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var length))
        {
            return ParseStatus.Incomplete;
        }

        if (length < minLength)
        {
            error = $"{what} length {length} is too short";
            return ParseStatus.Invalid;
        }

        if (reader.Remaining < length)
        {
            return ParseStatus.Incomplete;
        }

        body = buffer.Slice(1, length);
        consumed = buffer.GetPosition(1 + length);
        return ParseStatus.Done;
    }
}
