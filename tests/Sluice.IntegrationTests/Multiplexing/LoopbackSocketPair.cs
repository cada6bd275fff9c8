using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Multiplexing;

/// <summary>Two connected TCP sockets on loopback (ephemeral port), as NetworkStreams.</summary>
internal static class LoopbackSocketPair
{
    public static async Task<(NetworkStream Dialer, NetworkStream Acceptor)> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var dialer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await dialer.ConnectAsync(listener.LocalEndPoint!);
        var acceptor = await accept;
        acceptor.NoDelay = true;
        return (new NetworkStream(dialer, ownsSocket: true), new NetworkStream(acceptor, ownsSocket: true));
    }
}
