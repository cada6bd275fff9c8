using System.Buffers;
using System.Buffers.Binary;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// Reads and writes control messages. Framing (docs/protocols/tunnel.md, "Framing"):
/// <code>
///  0        1        2        3
/// +--------+--------+--------+--------+----------------------+
/// |  type  |   0    | payload length  |  payload (≤ 8 KiB)   |
/// +--------+--------+--------+--------+----------------------+
/// </code>
/// A message longer than the cap, an unknown type, a non-zero reserved byte or a payload that does
/// not parse to exactly its length is <see cref="ParseStatus.Invalid"/>: the peer is closed.
/// </summary>
internal static class ControlCodec
{
    public const int HeaderLength = 4;
    public const int MaxPayload = 8 * 1024;
    public const int NonceLength = 32;
    public const int ProofLength = 32;

    /// <summary>Most tunnels one Register may carry; long names reach <see cref="MaxPayload"/> first.</summary>
    public const int MaxTunnels = 256;

    /// <summary>
    /// Reads the payload length from a complete header, or returns null with <paramref name="error"/>
    /// when the header alone is already invalid (so a reader knows how many bytes to wait for).
    /// </summary>
    public static int? PayloadLength(ReadOnlySpan<byte> header, out string? error)
    {
        error = null;
        if (header.Length < HeaderLength)
        {
            throw new ArgumentException("need the whole header", nameof(header));
        }

        if (header[0] is < (byte)ControlMessageType.Hello or > (byte)ControlMessageType.RegisterHttpResult)
        {
            error = $"unknown control message type 0x{header[0]:x2}";
            return null;
        }

        if (header[1] != 0)
        {
            error = "reserved header byte is not zero";
            return null;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        if (length > MaxPayload)
        {
            error = $"control message of {length} bytes exceeds the {MaxPayload}-byte cap";
            return null;
        }

        return length;
    }

    public static ParseStatus TryRead(in ReadOnlySequence<byte> buffer, out ControlMessage? message, out SequencePosition consumed, out string? error)
    {
        message = null;
        consumed = buffer.Start;
        error = null;
        if (buffer.Length < HeaderLength)
        {
            return ParseStatus.Incomplete;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        if (PayloadLength(header, out error) is not { } length)
        {
            return ParseStatus.Invalid;
        }

        if (buffer.Length < HeaderLength + length)
        {
            return ParseStatus.Incomplete;
        }

        var payload = buffer.Slice(HeaderLength, length);
        message = ReadPayload((ControlMessageType)header[0], payload, out error);
        if (message is null)
        {
            return ParseStatus.Invalid;
        }

        consumed = buffer.GetPosition(HeaderLength + length);
        return ParseStatus.Done;
    }

    /// <summary>Parses one payload whose type and length the header gave; null (with a reason) when malformed.</summary>
    public static ControlMessage? ReadPayload(ControlMessageType type, ReadOnlySequence<byte> payload, out string? error)
    {
        var reader = new SequenceReader<byte>(payload);
        ControlMessage? message = type switch
        {
            ControlMessageType.Hello => ReadHello(ref reader),
            ControlMessageType.Challenge => ReadChallenge(ref reader),
            ControlMessageType.AuthProof => ReadProof(ref reader),
            ControlMessageType.Welcome => reader.TryReadBigEndian(out int interval) ? new WelcomeMessage((uint)interval) : null,
            ControlMessageType.Register => ReadRegister(ref reader),
            ControlMessageType.RegisterResult => ReadRegisterResult(ref reader),
            ControlMessageType.Heartbeat => reader.TryReadBigEndian(out long sequence) ? new HeartbeatMessage((ulong)sequence) : null,
            ControlMessageType.Error => ReadError(ref reader),
            ControlMessageType.RegisterHttp => ReadRegisterHttp(ref reader),
            ControlMessageType.RegisterHttpResult => ReadRegisterHttpResult(ref reader),
            _ => null,
        };

        if (message is null)
        {
            error = $"malformed {type} message";
            return null;
        }

        if (!reader.End)
        {
            error = $"{type} message has {reader.Remaining} bytes beyond its fields";
            return null;
        }

        error = null;
        return message;
    }

    public static void Write(ControlMessage message, IBufferWriter<byte> writer)
    {
        // Payload first into a scratch writer: its length goes in the header.
        var payload = new ArrayBufferWriter<byte>(64);
        WritePayload(message, payload);
        if (payload.WrittenCount > MaxPayload)
        {
            throw new ArgumentException($"{message.Type} message of {payload.WrittenCount} bytes exceeds the {MaxPayload}-byte cap", nameof(message));
        }

        var header = writer.GetSpan(HeaderLength);
        header[0] = (byte)message.Type;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payload.WrittenCount);
        writer.Advance(HeaderLength);
        writer.Write(payload.WrittenSpan);
    }

    private static void WritePayload(ControlMessage message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case HelloMessage hello:
                WireStrings.WriteUInt16(writer, hello.Version);
                WireStrings.Write(writer, hello.AgentName);
                break;
            case ChallengeMessage challenge:
                RequireLength(challenge.Nonce, NonceLength, "nonce");
                WireStrings.WriteUInt16(writer, challenge.Version);
                writer.Write(challenge.Nonce);
                break;
            case AuthProofMessage proof:
                RequireLength(proof.Proof, ProofLength, "proof");
                writer.Write(proof.Proof);
                break;
            case WelcomeMessage welcome:
                WireStrings.WriteUInt32(writer, welcome.HeartbeatIntervalMs);
                break;
            case RegisterMessage register:
                if (register.Tunnels.Count > MaxTunnels)
                {
                    throw new ArgumentException($"at most {MaxTunnels} tunnels per agent", nameof(message));
                }

                WireStrings.WriteUInt16(writer, (ushort)register.Tunnels.Count);
                foreach (var tunnel in register.Tunnels)
                {
                    WireStrings.Write(writer, tunnel.Name);
                    WireStrings.WriteUInt16(writer, tunnel.RemotePort);
                }

                break;
            case RegisterResultMessage result:
                WireStrings.WriteUInt16(writer, (ushort)result.Tunnels.Count);
                foreach (var tunnel in result.Tunnels)
                {
                    WireStrings.Write(writer, tunnel.Name);
                    WireStrings.WriteByte(writer, (byte)tunnel.Status);
                    WireStrings.WriteUInt16(writer, tunnel.Port);
                    WireStrings.Write(writer, WireStrings.Truncate(tunnel.Detail));
                }

                break;
            case HeartbeatMessage heartbeat:
                BinaryPrimitives.WriteUInt64BigEndian(writer.GetSpan(8), heartbeat.Sequence);
                writer.Advance(8);
                break;
            case ErrorMessage error:
                WireStrings.WriteByte(writer, (byte)error.Code);
                WireStrings.Write(writer, WireStrings.Truncate(error.Reason));
                break;
            case RegisterHttpMessage register:
                WriteRegisterHttp(register, writer);
                break;
            case RegisterHttpResultMessage result:
                if (result.Tunnels.Count > MaxTunnels)
                {
                    throw new ArgumentException($"at most {MaxTunnels} HTTP tunnels per agent", nameof(message));
                }

                WireStrings.WriteUInt16(writer, (ushort)result.Tunnels.Count);
                foreach (var tunnel in result.Tunnels)
                {
                    WireStrings.Write(writer, tunnel.Name);
                    WireStrings.WriteByte(writer, (byte)tunnel.Status);
                    WireStrings.Write(writer, WireStrings.Truncate(tunnel.Detail));
                }

                break;
            default:
                throw new ArgumentException($"no writer for {message.GetType().Name}", nameof(message));
        }
    }

    private static void RequireLength(byte[] value, int length, string what)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"{what} must be {length} bytes, got {value.Length}");
        }
    }

    private static HelloMessage? ReadHello(ref SequenceReader<byte> reader) =>
        reader.TryReadBigEndian(out short version) && WireStrings.TryRead(ref reader, out var name, out _)
            ? new HelloMessage((ushort)version, name)
            : null;

    private static ChallengeMessage? ReadChallenge(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short version) || reader.Remaining < NonceLength)
        {
            return null;
        }

        var nonce = new byte[NonceLength];
        reader.TryCopyTo(nonce);
        reader.Advance(NonceLength);
        return new ChallengeMessage((ushort)version, nonce);
    }

    private static AuthProofMessage? ReadProof(ref SequenceReader<byte> reader)
    {
        if (reader.Remaining < ProofLength)
        {
            return null;
        }

        var proof = new byte[ProofLength];
        reader.TryCopyTo(proof);
        reader.Advance(ProofLength);
        return new AuthProofMessage(proof);
    }

    private static RegisterMessage? ReadRegister(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short countValue) || (ushort)countValue > MaxTunnels)
        {
            return null;
        }

        var tunnels = new TunnelRequest[(ushort)countValue];
        for (var i = 0; i < tunnels.Length; i++)
        {
            if (!WireStrings.TryRead(ref reader, out var name, out _) || !reader.TryReadBigEndian(out short port))
            {
                return null;
            }

            tunnels[i] = new TunnelRequest(name, (ushort)port);
        }

        return new RegisterMessage(tunnels);
    }

    private static RegisterResultMessage? ReadRegisterResult(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short countValue) || (ushort)countValue > MaxTunnels)
        {
            return null;
        }

        var tunnels = new TunnelResult[(ushort)countValue];
        for (var i = 0; i < tunnels.Length; i++)
        {
            if (!WireStrings.TryRead(ref reader, out var name, out _)
                || !reader.TryRead(out var status)
                || status > (byte)RegisterStatus.Invalid
                || !reader.TryReadBigEndian(out short port)
                || !WireStrings.TryRead(ref reader, out var detail, out _))
            {
                return null;
            }

            tunnels[i] = new TunnelResult(name, (RegisterStatus)status, (ushort)port, detail);
        }

        return new RegisterResultMessage(tunnels);
    }

    private static ErrorMessage? ReadError(ref SequenceReader<byte> reader) =>
        reader.TryRead(out var code) && WireStrings.TryRead(ref reader, out var reason, out _)
            ? new ErrorMessage((ControlErrorCode)code, reason)
            : null;

    private static void WriteRegisterHttp(RegisterHttpMessage register, IBufferWriter<byte> writer)
    {
        if (register.Tunnels.Count > MaxTunnels)
        {
            throw new ArgumentException($"at most {MaxTunnels} HTTP tunnels per agent", nameof(register));
        }

        WireStrings.WriteUInt16(writer, (ushort)register.Tunnels.Count);
        foreach (var tunnel in register.Tunnels)
        {
            WireStrings.Write(writer, tunnel.Name);
            WireStrings.Write(writer, tunnel.Host);
            WireStrings.WriteByte(writer, (byte)tunnel.AuthKind);
            if (tunnel.AuthKind != HttpAuthKind.None)
            {
                RequireLength(tunnel.AuthHash, HttpTunnelRequest.AuthHashLength, "auth hash");
                WireStrings.Write(writer, tunnel.AuthHeader);
                writer.Write(tunnel.AuthHash);
            }

            WireStrings.Write(writer, tunnel.HostHeader);
            WireStrings.WriteByte(writer, tunnel.Inspect ? (byte)1 : (byte)0);
            WireStrings.WriteUInt32(writer, tunnel.CaptureBytes);
        }
    }

    private static RegisterHttpMessage? ReadRegisterHttp(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short countValue) || (ushort)countValue > MaxTunnels)
        {
            return null;
        }

        var tunnels = new HttpTunnelRequest[(ushort)countValue];
        for (var i = 0; i < tunnels.Length; i++)
        {
            if (!WireStrings.TryRead(ref reader, out var name, out _)
                || !WireStrings.TryRead(ref reader, out var host, out _)
                || !reader.TryRead(out var auth)
                || auth > (byte)HttpAuthKind.Header)
            {
                return null;
            }

            var header = string.Empty;
            byte[] hash = [];
            if (auth != (byte)HttpAuthKind.None)
            {
                if (!WireStrings.TryRead(ref reader, out header, out _) || header.Length == 0 || reader.Remaining < HttpTunnelRequest.AuthHashLength)
                {
                    return null;
                }

                hash = new byte[HttpTunnelRequest.AuthHashLength];
                reader.TryCopyTo(hash);
                reader.Advance(hash.Length);
            }

            if (!WireStrings.TryRead(ref reader, out var hostHeader, out _)
                || !reader.TryRead(out var inspect)
                || inspect > 1
                || !reader.TryReadBigEndian(out int capture))
            {
                return null;
            }

            tunnels[i] = new HttpTunnelRequest(name, host, (HttpAuthKind)auth, header, hash, hostHeader, inspect == 1, (uint)capture);
        }

        return new RegisterHttpMessage(tunnels);
    }

    private static RegisterHttpResultMessage? ReadRegisterHttpResult(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadBigEndian(out short countValue) || (ushort)countValue > MaxTunnels)
        {
            return null;
        }

        var tunnels = new HttpTunnelResult[(ushort)countValue];
        for (var i = 0; i < tunnels.Length; i++)
        {
            if (!WireStrings.TryRead(ref reader, out var name, out _)
                || !reader.TryRead(out var status)
                || status > (byte)RegisterStatus.Invalid
                || !WireStrings.TryRead(ref reader, out var detail, out _))
            {
                return null;
            }

            tunnels[i] = new HttpTunnelResult(name, (RegisterStatus)status, detail);
        }

        return new RegisterHttpResultMessage(tunnels);
    }
}
