using System.Net.Sockets;
using Sluice.IntegrationTests.Infrastructure;

namespace Sluice.IntegrationTests.Bench;

/// <summary>
/// An echo (written apart from Sluice's) that counts what it receives, so a test can check the
/// load generator's own counts against the server's. With <c>echo: false</c> it is a sink that
/// reads everything and closes on EOF; with <c>corrupt: true</c> it flips the first byte it echoes.
/// </summary>
internal sealed class CountingEcho : IAsyncDisposable
{
    private readonly TestBackend _backend;
    private long _bytes;

    public CountingEcho(bool echo = true, bool corrupt = false)
    {
        _backend = new TestBackend(async socket =>
        {
            var buffer = new byte[64 * 1024];
            var first = true;
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer);
                if (n == 0)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                Interlocked.Add(ref _bytes, n);
                if (!echo)
                {
                    continue;
                }

                if (corrupt && first)
                {
                    buffer[0] ^= 0xFF;
                    first = false;
                }

                await socket.SendAsync(buffer.AsMemory(0, n));
            }
        });
    }

    public string Address => _backend.Address;

    public int Accepted => _backend.Accepted;

    public long BytesReceived => Interlocked.Read(ref _bytes);

    public ValueTask DisposeAsync() => _backend.DisposeAsync();
}
