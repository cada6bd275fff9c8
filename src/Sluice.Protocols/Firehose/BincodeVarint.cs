using System.Buffers.Binary;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// bincode 2 "standard" variable-length integers (docs/protocols/firehose.md, "Handshake"):
/// a value below 251 is one byte; otherwise a marker 251/252/253 followed by the value as
/// u16/u32/u64 little-endian. The smallest form is always written; any form that fits is read.
/// </summary>
public static class BincodeVarint
{
    /// <summary>Marker for a u16 that follows.</summary>
    public const byte U16Marker = 251;

    /// <summary>Marker for a u32 that follows.</summary>
    public const byte U32Marker = 252;

    /// <summary>Marker for a u64 that follows.</summary>
    public const byte U64Marker = 253;

    /// <summary>The most bytes one varint takes (marker + u64).</summary>
    public const int MaxLength = 9;

    /// <summary>How many bytes <paramref name="value"/> encodes to.</summary>
    public static int GetLength(ulong value) => value switch
    {
        < U16Marker => 1,
        <= ushort.MaxValue => 3,
        <= uint.MaxValue => 5,
        _ => 9,
    };

    /// <summary>Writes <paramref name="value"/> and returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        switch (value)
        {
            case < U16Marker:
                destination[0] = (byte)value;
                return 1;
            case <= ushort.MaxValue:
                destination[0] = U16Marker;
                BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)value);
                return 3;
            case <= uint.MaxValue:
                destination[0] = U32Marker;
                BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)value);
                return 5;
            default:
                destination[0] = U64Marker;
                BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], value);
                return 9;
        }
    }

    /// <summary>Reads a varint; false when the bytes end early or the marker is not one of ours (254 is u128).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        if (source.IsEmpty)
        {
            return false;
        }

        switch (source[0])
        {
            case < U16Marker:
                value = source[0];
                consumed = 1;
                return true;
            case U16Marker when source.Length >= 3:
                value = BinaryPrimitives.ReadUInt16LittleEndian(source[1..]);
                consumed = 3;
                return true;
            case U32Marker when source.Length >= 5:
                value = BinaryPrimitives.ReadUInt32LittleEndian(source[1..]);
                consumed = 5;
                return true;
            case U64Marker when source.Length >= 9:
                value = BinaryPrimitives.ReadUInt64LittleEndian(source[1..]);
                consumed = 9;
                return true;
            default:
                return false;
        }
    }
}
