using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Forwarding.Epoll;

/// <summary>Writes an <see cref="IPEndPoint"/> as a Linux struct sockaddr_in / sockaddr_in6.</summary>
internal static unsafe class SocketAddressWriter
{
    public const int MaxLength = 28;

    /// <returns>The length of the sockaddr written.</returns>
    public static uint Write(IPEndPoint endPoint, byte* destination)
    {
        var span = new Span<byte>(destination, MaxLength);
        span.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span, LibC.AfInet6);
            endPoint.Address.TryWriteBytes(span[8..24], out _);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)endPoint.Address.ScopeId);
            return 28;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span, LibC.AfInet);
        endPoint.Address.TryWriteBytes(span[4..8], out _);
        return 16;
    }
}
