using System.Net;
using System.Net.Sockets;
using Sluice.Configuration;

namespace Sluice.IntegrationTests.Health;

/// <summary>
/// A TCP server on 127.0.0.1 that runs a handler per accepted connection. Binds to an ephemeral
/// port, or to a given one so a test can stop an upstream and bring it back on the same address.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private LoopbackServer(Func<Socket, CancellationToken, Task> handler, int port)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public HostPort Address => new("127.0.0.1", Port);

    public static LoopbackServer Start(Func<Socket, CancellationToken, Task> handler, int port = 0) => new(handler, port);

    /// <summary>Accepts and closes at once: enough for a connect-only check.</summary>
    public static LoopbackServer AcceptAndClose(int port = 0) => Start(static (_, _) => Task.CompletedTask, port);

    /// <summary>Waits for <paramref name="request"/>, answers <paramref name="reply"/>, then closes.</summary>
    public static LoopbackServer Answering(string request, string reply) => Start(async (socket, ct) =>
    {
        var buffer = new byte[1024];
        var received = "";
        while (!received.Contains(request, StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, ct);
            if (read == 0)
            {
                return;
            }

            received += System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }

        await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(reply), ct);
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                connections.Add(HandleAsync(socket));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task HandleAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await _handler(socket, _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
            {
            }
        }
    }
}
