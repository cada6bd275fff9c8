using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Sluice.Protocols.Tunnels;

/// <summary>The short strings of the tunnel protocols: a u8 byte count, then that many bytes of UTF-8.</summary>
internal static class WireStrings
{
    public const int MaxBytes = byte.MaxValue;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryRead(ref SequenceReader<byte> reader, out string value, out bool invalid)
    {
        value = string.Empty;
        invalid = false;
        if (!reader.TryRead(out var length))
        {
            return false;
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        var bytes = reader.UnreadSequence.Slice(0, length);
        try
        {
            value = Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            invalid = true;
            return false;
        }

        reader.Advance(length);
        return true;
    }

    /// <summary>Writes <paramref name="value"/>; throws when it is longer than 255 bytes (a caller bug: names are validated first).</summary>
    public static void Write(IBufferWriter<byte> writer, string value)
    {
        var count = Strict.GetByteCount(value);
        if (count > MaxBytes)
        {
            throw new ArgumentException($"string of {count} bytes is longer than the wire limit of {MaxBytes}", nameof(value));
        }

        var span = writer.GetSpan(1 + count);
        span[0] = (byte)count;
        Strict.GetBytes(value, span[1..]);
        writer.Advance(1 + count);
    }

    /// <summary>Cuts <paramref name="value"/> to at most 255 UTF-8 bytes (for free-text reasons).</summary>
    public static string Truncate(string value)
    {
        if (Strict.GetByteCount(value) <= MaxBytes)
        {
            return value;
        }

        var end = Math.Min(value.Length, MaxBytes);
        while (end > 0 && Strict.GetByteCount(value.AsSpan(0, end)) > MaxBytes - 3)
        {
            end--;
        }

        if (end > 0 && char.IsHighSurrogate(value[end - 1]))
        {
            end--;
        }

        return value[..end] + "...";
    }

    public static void WriteUInt16(IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void WriteUInt32(IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void WriteByte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }
}
