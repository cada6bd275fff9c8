using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// The firehose bench's master: accepts the gateway and sends every complete tagged frame back
/// unchanged (a data packet from the gateway has exactly the bytes of a data packet to it), so
/// the master costs as little as possible and the numbers are the gateway's.
/// </summary>
internal sealed class BenchEchoMaster : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _messages;

    public BenchEchoMaster(IPEndPoint? listen = null)
    {
        listen ??= new IPEndPoint(IPAddress.Loopback, 0);
        _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(listen);
        _listener.Listen(4);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _loop = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Frames received from the gateway (client → master messages).</summary>
    public long Messages => Interlocked.Read(ref _messages);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = EchoAsync(socket);
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[4 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var complete = 0;
                var frames = 0;
                while (filled - complete >= 4)
                {
                    var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(complete));
                    if (filled - complete - 4 < length)
                    {
                        break;
                    }

                    complete += 4 + length;
                    frames++;
                }

                if (complete > 0)
                {
                    Interlocked.Add(ref _messages, frames);
                    await socket.SendAsync(buffer.AsMemory(0, complete), SocketFlags.None, _stop.Token);
                    buffer.AsSpan(complete, filled - complete).CopyTo(buffer);
                    filled -= complete;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
