using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Sluice.Protocols.Firehose;

namespace Sluice.Client;

/// <summary>A socket with a pipe reader for length-prefixed frames, used by both SDK types.</summary>
internal sealed class FramedConnection : IDisposable
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true);

    public FramedConnection(Socket socket)
    {
        Socket = socket;
        Input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), ReaderOptions);
    }

    public Socket Socket { get; }

    public PipeReader Input { get; }

    public static async Task<FramedConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new FramedConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads one handshake packet; throws <see cref="FirehoseException"/> on anything else.</summary>
    public async Task<HandshakePacket> ReadPacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var head = buffer.Slice(0, Math.Min(buffer.Length, Framing.HeaderSize + HandshakePacket.MaxFrameLength));
            var read = HandshakePacket.TryReadFrame(head.IsSingleSegment ? head.FirstSpan : head.ToArray(), out var packet, out var consumed, out var error);
            if (read == FrameReadResult.Frame)
            {
                Input.AdvanceTo(buffer.GetPosition(consumed));
                return error is null ? packet : throw new FirehoseException($"bad handshake packet from the gateway: {error}");
            }

            Input.AdvanceTo(buffer.Start, buffer.End);
            if (read == FrameReadResult.TooLarge)
            {
                throw new FirehoseException("handshake frame from the gateway is too large");
            }

            if (result.IsCompleted)
            {
                throw new FirehoseException("the gateway closed the connection during the handshake");
            }
        }
    }

    public async Task SendPacketAsync(HandshakePacket packet, CancellationToken cancellationToken) =>
        await Socket.SendAsync(packet.ToFrame(), SocketFlags.None, cancellationToken);

    public void Dispose()
    {
        Socket.Dispose();
        Input.Complete();
    }
}
