using System.Buffers;
using System.Net.Sockets;

namespace Sluice.Forwarding;

/// <summary>
/// The byte pump between a socket and a <see cref="Stream"/> (a tunnel stream, a TLS stream):
/// both directions forwarded as bytes arrive, a FIN either way passed on as a half-close, a reset
/// either way passed on as a reset, byte counts kept, and no buffer held while idle.
/// </summary>
/// <remarks>
/// Socket → stream waits with a zero-byte receive and rents a buffer only when data is in hand
/// (as <see cref="SocketForwarder"/> does). Stream → socket does the same when the stream
/// supports zero-byte reads (<see cref="StreamSupportsZeroByteReads"/>: it then completes only
/// when data or the end is there); otherwise it must rent before reading. The subclass says how
/// its stream half-closes and resets, which <see cref="Stream"/> itself cannot express.
/// </remarks>
public abstract class SocketStreamForwarder : TrackedConnection
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly bool _socketIsClient;
    private readonly IByteCounter? _counter;

    /// <param name="socketIsClient">True when the socket is the user's side (counts "from client" on socket reads).</param>
    protected SocketStreamForwarder(Socket socket, Stream stream, bool socketIsClient, TimeSpan idleTimeout, IByteCounter? counter)
    {
        _socket = socket;
        _stream = stream;
        _socketIsClient = socketIsClient;
        _counter = counter;
        IdleTimeoutMs = (long)idleTimeout.TotalMilliseconds;
    }

    /// <summary>True when a zero-byte ReadAsync on the stream waits for data instead of returning at once.</summary>
    protected virtual bool StreamSupportsZeroByteReads => false;

    /// <summary>Pumps both ways until both directions end or the connection is aborted; disposes both ends.</summary>
    public async ValueTask<CloseReason> RunAsync(ConnectionRegistry registry)
    {
        registry.Add(this);
        try
        {
            var toStream = SocketToStreamAsync();
            await StreamToSocketAsync();
            await toStream;
        }
        finally
        {
            registry.Remove(this);
            _socket.Dispose();
            await DisposeStreamAsync();
        }

        return CloseReason;
    }

    public override void Abort(CloseReason reason) => Abort(reason, reset: false);

    /// <summary>Sends end-of-stream (FIN) on the stream's write side, leaving its read side open.</summary>
    protected abstract ValueTask CompleteStreamWritesAsync();

    /// <summary>Ends the stream abruptly both ways (the tunnel's RST).</summary>
    protected abstract void ResetStream();

    protected virtual ValueTask DisposeStreamAsync() => _stream.DisposeAsync();

    private void Abort(CloseReason reason, bool reset)
    {
        if (!TrySetCloseReason(reason))
        {
            return;
        }

        SocketForwarder.Close(_socket, reset);
        ResetStream();
    }

    private void Count(bool fromSocket, int count) => CountBytes(fromSocket == _socketIsClient, count, _counter);

    private async Task SocketToStreamAsync()
    {
        byte[]? buffer = null;
        var size = SocketForwarder.SmallBuffer;
        var writing = false;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    writing = true;
                    await CompleteStreamWritesAsync();
                    return;
                }

                Count(fromSocket: true, read);
                writing = true;
                await _stream.WriteAsync(buffer.AsMemory(0, read));
                writing = false;
                Touch();
                if (read < buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    size = SocketForwarder.SmallBuffer;
                }
                else if (size == SocketForwarder.SmallBuffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    size = SocketForwarder.LargeBuffer;
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // A failed receive is the socket side's reset; a failed write the stream side's.
            var socketFailed = !writing;
            Abort(socketFailed == _socketIsClient ? CloseReason.ClientReset : CloseReason.UpstreamReset, reset: true);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async ValueTask StreamToSocketAsync()
    {
        byte[]? buffer = null;
        var size = SocketForwarder.SmallBuffer;
        var sending = false;
        var zeroByte = StreamSupportsZeroByteReads;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    if (zeroByte)
                    {
#pragma warning disable CA2022 // A zero-byte read only waits for data; its count is meaningless by design.
                        await _stream.ReadAsync(Memory<byte>.Empty);
#pragma warning restore CA2022
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var read = await _stream.ReadAsync(buffer.AsMemory());
                if (read == 0)
                {
                    SocketForwarder.OnEndOfStream(_socket);
                    return;
                }

                Count(fromSocket: false, read);
                sending = true;
                await _socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                sending = false;
                Touch();
                if (read < buffer.Length && zeroByte)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    size = SocketForwarder.SmallBuffer;
                }
                else if (read == buffer.Length && size == SocketForwarder.SmallBuffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    size = SocketForwarder.LargeBuffer;
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            var socketFailed = sending;
            Abort(socketFailed == _socketIsClient ? CloseReason.ClientReset : CloseReason.UpstreamReset, reset: true);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
