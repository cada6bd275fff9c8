using System.Buffers.Binary;
using System.Net;

namespace Sluice.Forwarding.Epoll;

/// <summary>Reads a Linux struct sockaddr_in / sockaddr_in6 (as accept4 fills it) into an <see cref="IPEndPoint"/>.</summary>
internal static class SocketAddressReader
{
    public static IPEndPoint? Read(ReadOnlySpan<byte> address)
    {
        if (address.Length < 16)
        {
            return null;
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(address);
        var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        if (family == LibC.AfInet)
        {
            return new IPEndPoint(new IPAddress(address[4..8]), port);
        }

        if (family == LibC.AfInet6 && address.Length >= 28)
        {
            return new IPEndPoint(new IPAddress(address[8..24], BinaryPrimitives.ReadUInt32LittleEndian(address[24..])), port);
        }

        return null;
    }
}
