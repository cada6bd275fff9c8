using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// One accepted client socket: the handshake (new or resume), then a read loop that turns each
/// client frame into a tagged packet in the master outbox (many per lock, no copy but the one
/// into the batch), and a writer loop that sends the session's queue. An idle client holds no
/// buffer: reads are zero-byte reads until data arrives.
/// </summary>
internal sealed partial class FirehoseConnection
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true);

    private readonly Socket _socket;
    private readonly FirehoseService _service;
    private readonly PipeReader _input;
    private readonly CancellationTokenSource _closed = new();
    private FirehoseSession? _session;
    private Task _writer = Task.CompletedTask;
    private string? _closeReason;

    public FirehoseConnection(Socket socket, FirehoseService service)
    {
        _socket = socket;
        _service = service;
        Remote = (IPEndPoint)socket.RemoteEndPoint!;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false), ReaderOptions);
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

        _socket.Dispose();
    }

    public async Task RunAsync()
    {
        try
        {
            try
            {
                _session = await HandshakeAsync();
            }
            catch (HandshakeException ex)
            {
                Refuse(ex.Reason, ex.Message);
                return;
            }
            catch (OperationCanceledException)
            {
                Refuse(_closeReason ?? CloseReasons.HandshakeTimeout, "no complete handshake within handshake_timeout");
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                Refuse(_closeReason ?? CloseReasons.Eof, ex.Message);
                return;
            }

            _writer = WriteLoopAsync(_session);
            var reason = await ReadLoopAsync(_session);
            Interlocked.CompareExchange(ref _closeReason, reason, null);
        }
        finally
        {
            await CloseAsync();
        }
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
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closed.Token);
                var buffer = result.Buffer;
                var frames = 0;
                long bytes = 0;
                FrameReadResult read;
                var writer = outbox.Enter();
                bool full;
                try
                {
                    while ((read = Framing.TryReadFrame(ref buffer, maxMessage, out var payload)) == FrameReadResult.Frame)
                    {
                        TaggedPacket.Write(writer, id, TaggedFlags.Data, payload);
                        frames++;
                        bytes += payload.Length;
                    }
                }
                finally
                {
                    full = outbox.Exit();
                }

                if (frames > 0)
                {
                    _service.Counters.AddIn(frames, bytes);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (read == FrameReadResult.TooLarge)
                {
                    return CloseReasons.TooLarge;
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty ? CloseReasons.Eof : CloseReasons.Truncated;
                }

                if (full)
                {
                    // The master is slow or away: stop reading this client until the batch goes.
                    await outbox.WaitForSpaceAsync().WaitAsync(_closed.Token);
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

        await _input.CompleteAsync();
        _closed.Dispose();
        _service.Released(this);
    }
}
