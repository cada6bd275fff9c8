using System.Net;
using System.Net.Sockets;

namespace Sluice.IntegrationTests.Infrastructure;

/// <summary>
/// A plain TCP server written independently of Sluice's own code, so a proxy test doesn't check
/// Sluice against itself. Each accepted connection runs <c>behaviour</c>.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _behaviour;
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _loop;
    private int _accepted;

    public TestBackend(Func<Socket, Task> behaviour, int backlog = 512)
    {
        _behaviour = behaviour;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptLoop();
    }

    public IPEndPoint EndPoint { get; }

    public string Address => $"127.0.0.1:{EndPoint.Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Echoes everything back; on EOF from the client, closes its sending side.</summary>
    public static TestBackend Echo() => new(async s =>
    {
        var buffer = new byte[32 * 1024];
        while (true)
        {
            var n = await s.ReceiveAsync(buffer);
            if (n == 0)
            {
                s.Shutdown(SocketShutdown.Send);
                return;
            }

            await s.SendAsync(buffer.AsMemory(0, n));
        }
    });

    private async Task AcceptLoop()
    {
        while (!_cts.IsCancellationRequested)
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

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _behaviour(client);
                }
                catch (Exception)
                {
                    // The test decides what a failure means; the backend just closes.
                }
                finally
                {
                    client.Dispose();
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        _listener.Dispose();
        await _loop;
        _cts.Dispose();
    }
}
