using System.Net;
using Sluice.Forwarding.Epoll;

namespace Sluice.Tests.Forwarding;

public sealed unsafe class SocketAddressWriterTests
{
    [Fact]
    public void IPv4_IsALinuxSockaddrIn()
    {
        var buffer = new byte[SocketAddressWriter.MaxLength];
        uint length;
        fixed (byte* p = buffer)
        {
            length = SocketAddressWriter.Write(new IPEndPoint(IPAddress.Parse("192.168.1.20"), 6379), p);
        }

        Assert.Equal(16u, length);
        // sa_family AF_INET (2, host order), port 6379 big-endian, address, 8 zero bytes.
        Assert.Equal(new byte[] { 2, 0, 0x18, 0xEB, 192, 168, 1, 20, 0, 0, 0, 0, 0, 0, 0, 0 }, buffer[..16]);
    }

    [Fact]
    public void IPv6_IsALinuxSockaddrIn6_WithScope()
    {
        var buffer = new byte[SocketAddressWriter.MaxLength];
        uint length;
        fixed (byte* p = buffer)
        {
            length = SocketAddressWriter.Write(new IPEndPoint(IPAddress.Parse("fe80::1%3"), 443), p);
        }

        Assert.Equal(28u, length);
        Assert.Equal(new byte[] { 10, 0, 0x01, 0xBB, 0, 0, 0, 0 }, buffer[..8]);
        Assert.Equal(IPAddress.Parse("fe80::1").GetAddressBytes(), buffer[8..24]);
        Assert.Equal(new byte[] { 3, 0, 0, 0 }, buffer[24..28]);
    }
}
