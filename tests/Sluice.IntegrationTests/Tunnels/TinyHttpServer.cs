using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.IntegrationTests.Tunnels;

/// <summary>A minimal HTTP/1.1 server on loopback answering every request with one fixed body; written without Sluice's code.</summary>
internal sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Task _loop;

    public TinyHttpServer(string body)
    {
        Body = body;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _loop = AcceptLoopAsync();
    }

    public string Body { get; }

    public int Port { get; }

    public int Requests;

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            var buffer = new byte[8192];
            var received = 0;
            try
            {
                while (!Encoding.ASCII.GetString(buffer, 0, received).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await client.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    received += read;
                }

                Interlocked.Increment(ref Requests);
                var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.UTF8.GetByteCount(Body)}\r\nConnection: close\r\n\r\n{Body}";
                await client.SendAsync(Encoding.UTF8.GetBytes(response), SocketFlags.None);
                client.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _loop;
    }
}
