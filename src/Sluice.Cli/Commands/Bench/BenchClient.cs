using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Sluice.Protocols.Firehose;

namespace Sluice.Cli.Commands.Bench;

/// <summary>
/// One load connection: keeps <c>window</c> fixed-size messages in flight, each carrying its
/// send timestamp, and sends a replacement for every echo it gets back (closed loop, so the
/// rate is what the path sustains, not what the generator pushes).
/// </summary>
internal sealed class BenchClient : IDisposable
{
    private readonly Socket _socket;
    private readonly int _frameSize;
    private readonly int _window;
    private readonly byte[] _receive;
    private readonly byte[] _send;
    private readonly BenchStats _stats;

    private BenchClient(Socket socket, int size, int window, BenchStats stats)
    {
        _socket = socket;
        _frameSize = Framing.HeaderSize + size;
        _window = window;
        _stats = stats;
        _receive = new byte[Math.Max(4096, _frameSize * window)];
        _send = new byte[_frameSize * window];
        for (var i = 0; i < window; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_send.AsSpan(i * _frameSize), (uint)size);
        }
    }

    /// <summary>Connects; with <paramref name="firehose"/>, runs the Voltlane new-session handshake first.</summary>
    public static async Task<BenchClient> ConnectAsync(IPEndPoint target, bool firehose, int size, int window, BenchStats stats, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            if (firehose)
            {
                using var keys = FirehoseKeyPair.Create();
                await socket.SendAsync(HandshakePacket.Version(HandshakePacket.ProtocolVersion2).ToFrame(), SocketFlags.None, cancellationToken);
                await ReadPacketAsync(socket, cancellationToken);
                await socket.SendAsync(HandshakePacket.PubKey(keys.PublicKey).ToFrame(), SocketFlags.None, cancellationToken);
                await ReadPacketAsync(socket, cancellationToken);
            }

            return new BenchClient(socket, size, window, stats);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task ReadPacketAsync(Socket socket, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await ReceiveExactlyAsync(socket, header, cancellationToken);
        var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header)];
        await ReceiveExactlyAsync(socket, payload, cancellationToken);
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            buffer = buffer[read..];
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(_window, cancellationToken);
            var filled = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var read = await _socket.ReceiveAsync(_receive.AsMemory(filled), SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var now = Stopwatch.GetTimestamp();
                var offset = 0;
                var frames = 0;
                while (filled - offset >= _frameSize)
                {
                    var sent = BinaryPrimitives.ReadInt64LittleEndian(_receive.AsSpan(offset + Framing.HeaderSize));
                    _stats.RecordMicroseconds((now - sent) * 1_000_000 / Stopwatch.Frequency);
                    offset += _frameSize;
                    frames++;
                }

                if (offset > 0)
                {
                    _receive.AsSpan(offset, filled - offset).CopyTo(_receive);
                    filled -= offset;
                    _stats.Add(frames, (long)frames * (_frameSize - Framing.HeaderSize));
                    await SendAsync(frames, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async ValueTask SendAsync(int frames, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < frames; i++)
        {
            if (_frameSize - Framing.HeaderSize >= 8)
            {
                BinaryPrimitives.WriteInt64LittleEndian(_send.AsSpan((i * _frameSize) + Framing.HeaderSize), now);
            }
        }

        await _socket.SendAsync(_send.AsMemory(0, frames * _frameSize), SocketFlags.None, cancellationToken);
    }

    public void Dispose() => _socket.Dispose();
}
