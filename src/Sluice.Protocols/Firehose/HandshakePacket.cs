using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// One handshake packet: the bincode 2 encoding of Voltlane's <c>ClientServerPacket</c> enum
/// (docs/protocols/firehose.md, "Handshake packets"). The variant index comes first as a varint;
/// ProtocolVersion and ClientId carry a varint number, PubKey/Challenge/ChallengeResponse a
/// varint length and that many bytes, Ping nothing.
/// </summary>
public readonly struct HandshakePacket
{
    /// <summary>The only protocol version spoken: Voltlane 2.</summary>
    public const uint ProtocolVersion2 = 2;

    /// <summary>Handshake payloads are tiny (the largest, a sealed challenge, is 72 bytes); anything above this is refused.</summary>
    public const int MaxBytesLength = 256;

    /// <summary>Largest handshake frame payload either side reads; a longer one is malformed, not worth buffering.</summary>
    public const int MaxFrameLength = 512;

    private HandshakePacket(HandshakePacketKind kind, ulong number, ReadOnlyMemory<byte> bytes)
    {
        Kind = kind;
        Number = number;
        Bytes = bytes;
    }

    /// <summary>Which variant this is.</summary>
    public HandshakePacketKind Kind { get; }

    /// <summary>The version (ProtocolVersion) or id (ClientId); 0 otherwise.</summary>
    public ulong Number { get; }

    /// <summary>The key, challenge or response bytes; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Ping.</summary>
    public static HandshakePacket Ping() => new(HandshakePacketKind.Ping, 0, default);

    /// <summary>ProtocolVersion(version).</summary>
    public static HandshakePacket Version(uint version) => new(HandshakePacketKind.ProtocolVersion, version, default);

    /// <summary>PubKey(key).</summary>
    public static HandshakePacket PubKey(ReadOnlyMemory<byte> key) => new(HandshakePacketKind.PubKey, 0, key);

    /// <summary>ClientId(id).</summary>
    public static HandshakePacket ClientId(ulong id) => new(HandshakePacketKind.ClientId, id, default);

    /// <summary>Challenge(sealed box).</summary>
    public static HandshakePacket Challenge(ReadOnlyMemory<byte> sealedBox) => new(HandshakePacketKind.Challenge, 0, sealedBox);

    /// <summary>ChallengeResponse(sealed box).</summary>
    public static HandshakePacket ChallengeResponse(ReadOnlyMemory<byte> sealedBox) => new(HandshakePacketKind.ChallengeResponse, 0, sealedBox);

    /// <summary>Bytes of the packet without the frame's length prefix.</summary>
    public int EncodedLength => Kind switch
    {
        HandshakePacketKind.ProtocolVersion or HandshakePacketKind.ClientId => 1 + BincodeVarint.GetLength(Number),
        HandshakePacketKind.PubKey or HandshakePacketKind.Challenge or HandshakePacketKind.ChallengeResponse => 1 + BincodeVarint.GetLength((ulong)Bytes.Length) + Bytes.Length,
        _ => 1,
    };

    /// <summary>The packet as one frame, in a new array (handshakes are rare; the hot path never calls this).</summary>
    public byte[] ToFrame()
    {
        var frame = new byte[Framing.HeaderSize + EncodedLength];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(frame.Length - Framing.HeaderSize));
        Encode(frame.AsSpan(Framing.HeaderSize));
        return frame;
    }

    private void Encode(Span<byte> destination)
    {
        destination[0] = (byte)Kind;
        var rest = destination[1..];
        switch (Kind)
        {
            case HandshakePacketKind.ProtocolVersion or HandshakePacketKind.ClientId:
                BincodeVarint.Write(rest, Number);
                break;
            case HandshakePacketKind.PubKey or HandshakePacketKind.Challenge or HandshakePacketKind.ChallengeResponse:
                var used = BincodeVarint.Write(rest, (ulong)Bytes.Length);
                Bytes.Span.CopyTo(rest[used..]);
                break;
        }
    }

    /// <summary>
    /// Reads one handshake frame from the start of <paramref name="buffer"/>, for the gateway and
    /// the SDK alike. <see cref="FrameReadResult.Frame"/>: <paramref name="consumed"/> bytes
    /// (prefix included) held it, and <paramref name="error"/> is null when its payload parsed
    /// into <paramref name="packet"/>. A length above <see cref="MaxFrameLength"/> is
    /// <see cref="FrameReadResult.TooLarge"/> before its bytes arrive.
    /// </summary>
    public static FrameReadResult TryReadFrame(ReadOnlySpan<byte> buffer, out HandshakePacket packet, out int consumed, out string? error)
    {
        packet = default;
        error = null;
        consumed = 0;
        var read = Framing.TryReadFrame(buffer, MaxFrameLength, out var length);
        if (read == FrameReadResult.Frame)
        {
            consumed = Framing.HeaderSize + length;
            TryParse(buffer.Slice(Framing.HeaderSize, length), out packet, out error);
        }

        return read;
    }

    /// <summary>
    /// Parses one packet (a frame's payload). Trailing bytes, an unknown variant, a version above
    /// u32 or a byte field longer than <see cref="MaxBytesLength"/> are errors, named in
    /// <paramref name="error"/>. The returned <see cref="Bytes"/> is a copy.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out HandshakePacket packet, out string? error)
    {
        packet = default;
        if (!BincodeVarint.TryRead(payload, out var variant, out var used))
        {
            error = "empty or truncated handshake packet";
            return false;
        }

        var rest = payload[used..];
        switch (variant)
        {
            case (ulong)HandshakePacketKind.Ping:
                packet = Ping();
                break;
            case (ulong)HandshakePacketKind.ProtocolVersion or (ulong)HandshakePacketKind.ClientId:
                if (!BincodeVarint.TryRead(rest, out var number, out var numberLength))
                {
                    error = "truncated number in handshake packet";
                    return false;
                }

                if (variant == (ulong)HandshakePacketKind.ProtocolVersion && number > uint.MaxValue)
                {
                    error = "protocol version does not fit a u32";
                    return false;
                }

                rest = rest[numberLength..];
                packet = new HandshakePacket((HandshakePacketKind)variant, number, default);
                break;
            case (ulong)HandshakePacketKind.PubKey or (ulong)HandshakePacketKind.Challenge or (ulong)HandshakePacketKind.ChallengeResponse:
                if (!BincodeVarint.TryRead(rest, out var length, out var lengthLength))
                {
                    error = "truncated length in handshake packet";
                    return false;
                }

                rest = rest[lengthLength..];
                if (length > MaxBytesLength || (ulong)rest.Length < length)
                {
                    error = length > MaxBytesLength ? "handshake byte field too long" : "truncated bytes in handshake packet";
                    return false;
                }

                packet = new HandshakePacket((HandshakePacketKind)variant, 0, rest[..(int)length].ToArray());
                rest = rest[(int)length..];
                break;
            default:
                error = "unknown handshake packet variant";
                return false;
        }

        if (!rest.IsEmpty)
        {
            error = "trailing bytes after handshake packet";
            packet = default;
            return false;
        }

        error = null;
        return true;
    }
}
