using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// One accepted client socket: the handshake (new or resume), then reads that turn each client
/// frame into a tagged packet in the master outbox (many per lock, no copy but the one into the
/// batch), and sends of the session's queue. With the epoll engine (the default on Linux) an
/// established connection is served by an <see cref="Forwarding.Epoll.EpollLoop"/> (see
/// <c>FirehoseConnection.Epoll.cs</c>); with the sockets engine by a read loop and a writer loop
/// over the .NET socket. An idle client holds no buffer either way.
/// </summary>
internal sealed partial class FirehoseConnection
{
    private readonly Socket _socket;
    private readonly FirehoseService _service;
    private readonly CancellationTokenSource _closed = new();
    private FirehoseSession? _session;
    private Task _writer = Task.CompletedTask;
    private string? _closeReason;

    public FirehoseConnection(Socket socket, FirehoseService service)
    {
        _socket = socket;
        _service = service;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        if (service.Loop is not null)
        {
            _loop = service.Loop;
            _fd = (int)socket.SafeHandle.DangerousGetHandle();
        }
    }

    public IPEndPoint Remote { get; }

    /// <summary>Closes the socket from outside (kick, failure, shutdown); the loops then end on their own.</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        if (_loop is not null)
        {
            // The loop closes the descriptor; a handshake still running ends on the cancellation.
            if (_established)
            {
                RequestClose();
            }

            return;
        }

        _socket.Dispose();
        _service.Master.Outbox.ReleaseSpaceWaiters();
    }

    public async Task RunAsync()
    {
        FirehoseSession? session = null;
        try
        {
            session = await TryHandshakeAsync();
            if (_loop is null && session is not null)
            {
                _writer = WriteLoopAsync(session);
                var reason = await ReadLoopAsync(session);
                Interlocked.CompareExchange(ref _closeReason, reason, null);
            }
        }
        finally
        {
            if (_loop is null)
            {
                await CloseAsync();
            }
            else if (session is null)
            {
                RequestClose();
            }
            else
            {
                // The epoll engine: from here the connection's loop serves it and closes it.
                Establish();
            }
        }
    }

    /// <summary>The handshake; null when it failed (then counted and logged as refused).</summary>
    private async Task<FirehoseSession?> TryHandshakeAsync()
    {
        try
        {
            return _session = await HandshakeAsync();
        }
        catch (HandshakeException ex)
        {
            Refuse(ex.Reason, ex.Message);
        }
        catch (OperationCanceledException)
        {
            Refuse(_closeReason ?? CloseReasons.HandshakeTimeout, "no complete handshake within handshake_timeout");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Refuse(_closeReason ?? CloseReasons.Eof, ex.Message);
        }

        return null;
    }

    private void Refuse(string reason, string detail)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _service.HandshakeFailed(this, _closeReason!, detail);
    }

    private async Task<string> ReadLoopAsync(FirehoseSession session)
    {
        var outbox = _service.Master.Outbox;
        var maxMessage = _service.MaxMessage;
        var id = session.Id;
        var frameSize = 0;

        // Bytes that came in with the last handshake packet are routed before the first receive.
        var buffered = !Received.IsEmpty;
        try
        {
            while (true)
            {
                if (!buffered)
                {
                    // No token: Abort disposes the socket, which ends a pending receive, and a
                    // receive that registers no cancellation costs less on this hot path.
                    if (_receive is null)
                    {
                        await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    }

                    var read = await _socket.ReceiveAsync(ReceiveSpace(frameSize), SocketFlags.None);
                    if (read == 0)
                    {
                        return Received.IsEmpty ? CloseReasons.Eof : CloseReasons.Truncated;
                    }

                    _end += read;
                }

                buffered = false;
                var (result, pending, frames, bytes, consumed) = ToOutbox(Received, outbox, id, maxMessage, out var full);
                Consume(consumed);
                frameSize = result == FrameReadResult.Incomplete ? Framing.HeaderSize + Math.Max(0, pending) : 0;
                if (frames > 0)
                {
                    _service.Counters.AddIn(frames, bytes);
                }

                if (result == FrameReadResult.TooLarge)
                {
                    return CloseReasons.TooLarge;
                }

                if (full)
                {
                    // The master is slow or away: stop reading this client until the batch goes.
                    // Another connection's Abort also ends the wait: then wait again unless it
                    // was this one (its next receive fails on the closed socket).
                    Task space;
                    while (!(space = outbox.WaitForSpaceAsync()).IsCompleted && !_closed.IsCancellationRequested)
                    {
                        await space;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            return _closeReason ?? CloseReasons.Shutdown;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            return _closeReason ?? CloseReasons.Eof;
        }
    }

    /// <summary>
    /// Moves every complete frame in <paramref name="data"/> into the outbox as a tagged packet,
    /// under one lock. Returns why it stopped, the bytes consumed and, when a frame is incomplete,
    /// its announced payload length (-1 while the prefix itself is incomplete).
    /// </summary>
    private static (FrameReadResult Result, int PendingLength, int Frames, long Bytes, int Consumed) ToOutbox(
        ReadOnlySpan<byte> data, FrameOutbox outbox, ulong id, int maxMessage, out bool full)
    {
        var offset = 0;
        var frames = 0;
        long bytes = 0;
        full = false;
        var result = Framing.TryReadFrame(data, maxMessage, out var length);
        if (result == FrameReadResult.Frame)
        {
            var writer = outbox.Enter();
            try
            {
                do
                {
                    TaggedPacket.Write(writer, id, TaggedFlags.Data, data.Slice(offset + Framing.HeaderSize, length));
                    offset += Framing.HeaderSize + length;
                    frames++;
                    bytes += length;
                    result = Framing.TryReadFrame(data[offset..], maxMessage, out length);
                }
                while (result == FrameReadResult.Frame);
            }
            finally
            {
                full = outbox.Exit();
            }
        }

        return (result, length, frames, bytes, offset);
    }

    /// <summary>
    /// Sends the session's queue until the connection closes. Frames are counted as they go so
    /// client_queue holds. A cancelled read (the connection dropped) leaves what is unsent in
    /// the queue for the next connection; a failed send loses that batch (it may have partly
    /// reached the client, and the protocol has no acknowledgements to tell).
    /// </summary>
    private async Task WriteLoopAsync(FirehoseSession session)
    {
        await Task.Yield();
        var reader = session.QueueReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                if (_closed.IsCancellationRequested)
                {
                    reader.AdvanceTo(buffer.Start);
                    return;
                }

                if (result.IsCanceled)
                {
                    // Left over from the previous connection's stop: not meant for this one.
                    reader.AdvanceTo(buffer.Start);
                    continue;
                }

                try
                {
                    foreach (var segment in buffer)
                    {
                        await _socket.SendAsync(segment, SocketFlags.None, _closed.Token);
                    }
                }
                finally
                {
                    var (frames, bytes) = Count(buffer);
                    session.Sent(frames);
                    _service.Counters.AddOut(frames, bytes);
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            Abort(CloseReasons.Error);
        }
    }

    private static (int Frames, long Bytes) Count(ReadOnlySequence<byte> buffer)
    {
        var frames = 0;
        long bytes = 0;
        while (buffer.Length >= Framing.HeaderSize)
        {
            var length = Framing.ReadLength(buffer);
            buffer = buffer.Slice(Framing.HeaderSize + length);
            frames++;
            bytes += length;
        }

        return (frames, bytes);
    }

    private async Task CloseAsync()
    {
        var reason = _closeReason ?? CloseReasons.Eof;
        _closed.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        if (_session is { } session)
        {
            session.QueueReader.CancelPendingRead();
            await _writer;
            _service.ConnectionClosed(this, session, reason);
        }

        ReleaseReceiveBuffer();
        _closed.Dispose();
        _service.Released(this);
    }
}
