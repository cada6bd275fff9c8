using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.EndToEnd;

/// <summary>
/// An echo server on any loopback address (TestBackend binds 127.0.0.1 only); used for the IPv6
/// upstream. Written without Sluice's code, like TestBackend.
/// </summary>
internal sealed class LoopbackEchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;

    public LoopbackEchoServer(IPAddress address)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptLoop();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>"host:port" as sluice.toml writes it, brackets for IPv6.</summary>
    public string Address => EndPoint.ToString();

    /// <summary>True when a socket can be bound to <paramref name="address"/> on this machine.</summary>
    public static bool CanBind(IPAddress address)
    {
        try
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task AcceptLoop()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_cts.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => EchoAsync(client));
        }
    }

    private static async Task EchoAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await client.ReceiveAsync(buffer)) > 0)
                {
                    await client.SendAsync(buffer.AsMemory(0, n));
                }

                client.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
                // The test judges what a reset means; the server just closes.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _listener.Dispose();
        await _loop;
        _cts.Dispose();
    }
}
