using System.Net;
using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.EndToEnd;

/// <summary>Client-side helpers: connect (from a chosen source address) and check one echo round trip.</summary>
internal static class EchoClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<Socket> ConnectAsync(IPEndPoint target, IPAddress? source = null)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            using var cts = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(target, cts.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends a small message and asserts it comes back unchanged.</summary>
    public static async Task RoundTripAsync(Socket socket, int tag = 0)
    {
        var message = BitConverter.GetBytes(tag);
        await socket.SendAsync(message);
        Assert.Equal(message, await SocketIo.ReadExactlyAsync(socket, message.Length, Timeout));
    }

    /// <summary>Connects, does one round trip and closes.</summary>
    public static async Task OneRoundTripAsync(IPEndPoint target, IPAddress? source = null, int tag = 0)
    {
        using var socket = await ConnectAsync(target, source);
        await RoundTripAsync(socket, tag);
    }
}
