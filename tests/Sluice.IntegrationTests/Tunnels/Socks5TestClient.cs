using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;
using Sluice.Protocols.Socks;

namespace Sluice.IntegrationTests.Tunnels;

/// <summary>A SOCKS5 client for tests (RFC 1928/1929): returns the reply code and, on success, the connected socket.</summary>
internal static class Socks5TestClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<(byte Reply, Socket Socket)> ConnectAsync(IPEndPoint proxy, string host, int port, (string User, string Password)? credentials = null, byte command = 0x01)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy);
        var method = credentials is null ? (byte)0x00 : (byte)0x02;
        await socket.SendAsync(new byte[] { 0x05, 0x01, method }, SocketFlags.None);
        var selection = await SocketIo.ReadExactlyAsync(socket, 2, Timeout);
        if (selection[1] != method)
        {
            return (0xFF, socket);
        }

        if (credentials is { } c)
        {
            var auth = new List<byte> { 0x01, (byte)c.User.Length };
            auth.AddRange(System.Text.Encoding.UTF8.GetBytes(c.User));
            auth.Add((byte)c.Password.Length);
            auth.AddRange(System.Text.Encoding.UTF8.GetBytes(c.Password));
            await socket.SendAsync(auth.ToArray(), SocketFlags.None);
            var status = await SocketIo.ReadExactlyAsync(socket, 2, Timeout);
            if (status[1] != 0)
            {
                return (0xFE, socket);
            }
        }

        var writer = new ArrayBufferWriter<byte>();
        Socks5Codec.WriteConnectRequest(writer, host, (ushort)port);
        var request = writer.WrittenSpan.ToArray();
        request[1] = command;
        await socket.SendAsync(request, SocketFlags.None);
        var reply = await SocketIo.ReadExactlyAsync(socket, 10, Timeout);
        return (reply[1], socket);
    }
}
