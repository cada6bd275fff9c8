using System.Diagnostics;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

/// <summary>
/// One full-duplex stream of a <see cref="MuxSession"/>. Reads return 0 after the peer's FIN and
/// throw <see cref="IOException"/> after a reset or the session's end; writes wait for send
/// window (backpressure) and are split into frames by the session's write loop.
/// </summary>
/// <remarks>
/// Closing: <see cref="CompleteWritesAsync"/> half-closes (FIN) and reading goes on.
/// Dispose sends FIN if it was not sent; if received bytes were left unread it resets instead
/// (RST), like a TCP close with unread data, and data that arrives after Dispose resets the
/// stream, so the peer learns nobody is reading. One reader and one writer at a time.
/// </remarks>
internal sealed partial class MuxStream : Stream
{
    private readonly MuxSession _session;
    private readonly Lock _sync = new();
    private readonly bool _outbound;

    // False when the stream was opened while the session's window budget was spent: it keeps
    // the protocol's 256 KiB baseline but never gets more, and it is the first to be reset
    // when received bytes would pass the session bound.
    private readonly bool _withinBudget;
    private string? _resetReason;
    private bool _disposed;
    private bool _released;
    private bool _windowReturned;
    private long _disposedAt;

    // Control work for the write loop, guarded by _sync.
    private FrameFlags _pendingFlags;
    private uint _pendingWindowDelta;

    internal MuxStream(MuxSession session, uint id, bool outbound)
    {
        _session = session;
        Id = id;
        _outbound = outbound;
        _recvWindow = MuxSession.BaselineWindow;
        _recvCredit = MuxSession.BaselineWindow;
        _opened = MuxSession.Now;
        _withinBudget = session.ReserveBaseline();
    }

    public uint Id { get; }

    /// <summary>Guarded by the session's write lock.</summary>
    internal bool InControlQueue { get; set; }

    /// <summary>Guarded by the session's write lock.</summary>
    internal bool InDataQueue { get; set; }

    /// <summary>The current receive window (grows while the stream is throughput-bound).</summary>
    public int ReceiveWindow
    {
        get
        {
            lock (_sync)
            {
                return _recvWindow;
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Resets the stream (RST): both directions end at once, unread and unsent bytes are dropped.</summary>
    public void Reset() => ResetCore("reset by the application", sendRst: true);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override int Read(Span<byte> buffer)
    {
        var array = new byte[buffer.Length];
        var read = ReadAsync(array).AsTask().GetAwaiter().GetResult();
        array.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(ReadOnlySpan<byte> buffer) => WriteAsync(buffer.ToArray()).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override string ToString() => "mux stream " + Id;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                if (_resetReason is null)
                {
                    if (_received.Length > 0 || _writing)
                    {
                        ResetCore(_writing ? "disposed during a write" : "closed with unread data", sendRst: true);
                    }
                    else
                    {
                        if (!_finQueued && !_session.IsClosed)
                        {
                            QueueFin();
                        }

                        if (!_remoteFin && !_released)
                        {
                            // Nothing will be buffered any more (data now resets the stream), so
                            // its window goes back to the session; the stream lingers only until
                            // the peer's FIN, or StreamCloseTimeout.
                            _session.ReturnWindow(_recvWindow);
                            _windowReturned = true;
                            _disposedAt = MuxSession.Now;
                            _session.AddLingering(1);
                        }
                    }
                }

                DropReceived();
            }

            _readSignal.Set();
            _writeSignal.Set();
        }

        base.Dispose(disposing);
    }

    /// <summary>The session ended: unread bytes stay readable; then reads return 0 if the peer had finished the stream, else fail.</summary>
    internal void OnSessionClosed(string reason)
    {
        lock (_sync)
        {
            if (_resetReason is null && !_remoteFin)
            {
                // Bytes that arrived stay readable; reads fail once they are consumed.
                ResetCore("session ended: " + reason, sendRst: false, dropReceived: false);
            }

            Release();
        }

        _readSignal.Set();
        _writeSignal.Set();
    }

    /// <summary>Resets an opened stream the peer never acknowledged, or a closed one the peer never finished.</summary>
    internal void CheckTimeouts(TimeSpan openTimeout, TimeSpan closeTimeout)
    {
        bool openExpired, closeExpired;
        lock (_sync)
        {
            if (_resetReason is not null || _released)
            {
                return;
            }

            openExpired = _outbound && !_acked && Stopwatch.GetElapsedTime(_opened) >= openTimeout;
            closeExpired = _disposedAt != 0 && Stopwatch.GetElapsedTime(_disposedAt) >= closeTimeout;
        }

        if (openExpired)
        {
            MuxLog.StreamOpenTimeout(_session.Logger, Id, openTimeout);
            ResetCore("the peer did not acknowledge the stream within " + openTimeout, sendRst: true);
        }
        else if (closeExpired)
        {
            ResetCore("the peer did not finish the closed stream within " + closeTimeout, sendRst: true);
        }
    }

    /// <summary>Marks the stream reset once: drops buffers, wakes reader and writer, optionally sends RST.</summary>
    private void ResetCore(string reason, bool sendRst, bool dropReceived = true)
    {
        lock (_sync)
        {
            if (_resetReason is not null || (_released && !sendRst))
            {
                return;
            }

            _resetReason = reason;
            if (dropReceived)
            {
                DropReceived();
            }

            _pending = default;
            if (sendRst && !(_finSent && _remoteFin))
            {
                _pendingFlags = (_pendingFlags & FrameFlags.Syn) | FrameFlags.Rst;
                _pendingWindowDelta = 0;
                _session.ScheduleControl(this);
            }

            Release();
        }

        MuxLog.StreamReset(_session.Logger, Id, reason);
        _readSignal.Set();
        _writeSignal.Set();
    }

    /// <summary>Leaves the session's table once both sides finished or the stream was reset. Under _sync.</summary>
    private void ReleaseIfDone()
    {
        if (_resetReason is not null || (_finSent && _remoteFin))
        {
            Release();
        }
    }

    private void Release()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        if (_disposedAt != 0)
        {
            _session.AddLingering(-1);
        }

        _session.Release(this, _windowReturned ? 0 : _recvWindow, _holdsOpenSlot);
        _holdsOpenSlot = false;
    }
}
