using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using Sluice.Protocols.Tunnels;

namespace Sluice.Protocols.Socks;

/// <summary>
/// SOCKS5 server-side messages (RFC 1928, RFC 1929). Each parser reads one message from the bytes
/// received so far; every message is bounded by its format (at most 513 bytes), and anything
/// malformed is <see cref="ParseStatus.Invalid"/>.
/// </summary>
internal static class Socks5Codec
{
    public const byte Version = 0x05;
    public const byte AuthVersion = 0x01;

    /// <summary>The longest message a client can send (RFC 1929: 1 + 1 + 255 + 1 + 255).</summary>
    public const int MaxMessage = 513;

    /// <summary>
    /// +----+----------+----------+
    /// |VER | NMETHODS | METHODS  |
    /// +----+----------+----------+
    /// </summary>
    public static ParseStatus TryReadGreeting(in ReadOnlySequence<byte> buffer, out Socks5Greeting greeting, out SequencePosition consumed, out string? error)
    {
        greeting = default;
        consumed = buffer.Start;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var version))
        {
            return ParseStatus.Incomplete;
        }

        if (version != Version)
        {
            error = $"not SOCKS5 (version byte 0x{version:x2})";
            return ParseStatus.Invalid;
        }

        if (!reader.TryRead(out var count))
        {
            return ParseStatus.Incomplete;
        }

        if (count == 0)
        {
            error = "greeting offers no methods";
            return ParseStatus.Invalid;
        }

        if (reader.Remaining < count)
        {
            return ParseStatus.Incomplete;
        }

        var methods = new Socks5Method[count];
        for (var i = 0; i < count; i++)
        {
            reader.TryRead(out var method);
            methods[i] = (Socks5Method)method;
        }

        greeting = new Socks5Greeting(methods);
        consumed = reader.Position;
        return ParseStatus.Done;
    }

    /// <summary>
    /// RFC 1929 §2:
    /// +----+------+----------+------+----------+
    /// |VER | ULEN |  UNAME   | PLEN |  PASSWD  |
    /// +----+------+----------+------+----------+
    /// </summary>
    public static ParseStatus TryReadCredentials(in ReadOnlySequence<byte> buffer, out Socks5Credentials credentials, out SequencePosition consumed, out string? error)
    {
        credentials = default;
        consumed = buffer.Start;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out var version))
        {
            return ParseStatus.Incomplete;
        }

        if (version != AuthVersion)
        {
            error = $"username/password sub-negotiation version 0x{version:x2} is not 0x01";
            return ParseStatus.Invalid;
        }

        if (!WireStrings.TryRead(ref reader, out var username, out var badUser))
        {
            error = badUser ? "username is not UTF-8" : null;
            return badUser ? ParseStatus.Invalid : ParseStatus.Incomplete;
        }

        if (!WireStrings.TryRead(ref reader, out var password, out var badPassword))
        {
            error = badPassword ? "password is not UTF-8" : null;
            return badPassword ? ParseStatus.Invalid : ParseStatus.Incomplete;
        }

        credentials = new Socks5Credentials(username, password);
        consumed = reader.Position;
        return ParseStatus.Done;
    }

    /// <summary>
    /// +----+-----+-------+------+----------+----------+
    /// |VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
    /// +----+-----+-------+------+----------+----------+
    /// A well-formed request with an unsupported command still parses (the caller replies 0x07);
    /// an unknown ATYP is Invalid with <paramref name="reply"/> = 0x08.
    /// </summary>
    public static ParseStatus TryReadRequest(in ReadOnlySequence<byte> buffer, out Socks5Request request, out SequencePosition consumed, out Socks5ReplyCode reply, out string? error)
    {
        request = default;
        consumed = buffer.Start;
        reply = Socks5ReplyCode.GeneralFailure;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        if (reader.Remaining < 4)
        {
            return ParseStatus.Incomplete;
        }

        reader.TryRead(out var version);
        reader.TryRead(out var command);
        reader.TryRead(out var reserved);
        reader.TryRead(out var addressType);
        if (version != Version)
        {
            error = $"request version 0x{version:x2} is not 0x05";
            return ParseStatus.Invalid;
        }

        if (reserved != 0)
        {
            error = "reserved byte is not zero";
            return ParseStatus.Invalid;
        }

        string host;
        switch ((Socks5AddressType)addressType)
        {
            case Socks5AddressType.IPv4:
            case Socks5AddressType.IPv6:
                var size = addressType == (byte)Socks5AddressType.IPv4 ? 4 : 16;
                if (reader.Remaining < size)
                {
                    return ParseStatus.Incomplete;
                }

                Span<byte> address = stackalloc byte[size];
                reader.TryCopyTo(address);
                reader.Advance(size);
                host = new IPAddress(address).ToString();
                break;
            case Socks5AddressType.DomainName:
                if (!WireStrings.TryRead(ref reader, out host, out var badName))
                {
                    error = badName ? "domain name is not UTF-8" : null;
                    return badName ? ParseStatus.Invalid : ParseStatus.Incomplete;
                }

                if (host.Length == 0)
                {
                    error = "domain name is empty";
                    return ParseStatus.Invalid;
                }

                break;
            default:
                error = $"unknown address type 0x{addressType:x2}";
                reply = Socks5ReplyCode.AddressTypeNotSupported;
                return ParseStatus.Invalid;
        }

        if (!reader.TryReadBigEndian(out short port))
        {
            return ParseStatus.Incomplete;
        }

        request = new Socks5Request((Socks5Command)command, (Socks5AddressType)addressType, host, (ushort)port);
        consumed = reader.Position;
        return ParseStatus.Done;
    }

    /// <summary>+----+--------+ |VER | METHOD | +----+--------+</summary>
    public static void WriteMethodSelection(IBufferWriter<byte> writer, Socks5Method method)
    {
        var span = writer.GetSpan(2);
        span[0] = Version;
        span[1] = (byte)method;
        writer.Advance(2);
    }

    /// <summary>RFC 1929: +----+--------+ |VER | STATUS | +----+--------+, status 0 = success.</summary>
    public static void WriteAuthStatus(IBufferWriter<byte> writer, bool success)
    {
        var span = writer.GetSpan(2);
        span[0] = AuthVersion;
        span[1] = success ? (byte)0 : (byte)1;
        writer.Advance(2);
    }

    /// <summary>
    /// +----+-----+-------+------+----------+----------+
    /// |VER | REP |  RSV  | ATYP | BND.ADDR | BND.PORT |
    /// +----+-----+-------+------+----------+----------+
    /// The bound address is the one given (or 0.0.0.0:0 when null: clients of CONNECT ignore it).
    /// </summary>
    public static void WriteReply(IBufferWriter<byte> writer, Socks5ReplyCode code, IPEndPoint? bound = null)
    {
        var address = bound?.Address ?? IPAddress.Any;
        var size = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 16 : 4;
        var span = writer.GetSpan(6 + size);
        span[0] = Version;
        span[1] = (byte)code;
        span[2] = 0;
        span[3] = size == 4 ? (byte)Socks5AddressType.IPv4 : (byte)Socks5AddressType.IPv6;
        address.TryWriteBytes(span.Slice(4, size), out _);
        BinaryPrimitives.WriteUInt16BigEndian(span[(4 + size)..], (ushort)(bound?.Port ?? 0));
        writer.Advance(6 + size);
    }

    /// <summary>Client side, for tests and tools: a CONNECT request to a domain name or IP literal.</summary>
    public static void WriteConnectRequest(IBufferWriter<byte> writer, string host, ushort port)
    {
        var span = writer.GetSpan(4);
        span[0] = Version;
        span[1] = (byte)Socks5Command.Connect;
        span[2] = 0;
        if (IPAddress.TryParse(host, out var ip))
        {
            var v6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            span[3] = v6 ? (byte)Socks5AddressType.IPv6 : (byte)Socks5AddressType.IPv4;
            writer.Advance(4);
            var bytes = ip.GetAddressBytes();
            writer.Write(bytes);
        }
        else
        {
            span[3] = (byte)Socks5AddressType.DomainName;
            writer.Advance(4);
            WireStrings.Write(writer, host);
        }

        WireStrings.WriteUInt16(writer, port);
    }
}
