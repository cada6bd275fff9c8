using System.Runtime.CompilerServices;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxStream
{
    private readonly AsyncSignal _writeSignal = new();

    // Send side, guarded by _sync. _pending is the caller's buffer, copied into the session's
    // write batch by the write loop while WriteAsync waits (no copy of our own, no allocation).
    private long _sendWindow = MuxSession.BaselineWindow;
    private ReadOnlyMemory<byte> _pending;
    private bool _writing;
    private bool _finQueued;
    private bool _finSent;
    private bool _acked;
    private bool _holdsOpenSlot;

    /// <summary>Sends the bytes, waiting for send window as the peer reads (backpressure).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        bool direct;
        lock (_sync)
        {
            ThrowIfCannotWrite();
            if (buffer.IsEmpty)
            {
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!TryAppendDirect(buffer.Span))
            {
                _writing = true;
                _pending = buffer;
                if (_sendWindow > 0)
                {
                    _session.ScheduleData(this);
                }

                direct = false;
            }
            else
            {
                direct = true;
            }
        }

        if (direct)
        {
            // Framed already: the write is done once the write loop knows there is a batch.
            _session.WakeWriter();
            return;
        }

        CancellationTokenRegistration registration = default;
        if (cancellationToken.CanBeCanceled)
        {
            registration = cancellationToken.UnsafeRegister(static s => ((MuxStream)s!)._writeSignal.Set(), this);
        }

        try
        {
            while (true)
            {
                await _writeSignal.WaitAsync();
                lock (_sync)
                {
                    if (_pending.IsEmpty && _resetReason is null)
                    {
                        _writing = false;
                        return;
                    }

                    if (_resetReason is not null || _session.IsClosed)
                    {
                        _pending = default;
                        _writing = false;
                        ThrowIfCannotWrite();
                    }

                    if (cancellationToken.IsCancellationRequested)
                    {
                        // Part of the buffer may already be on the wire: the stream cannot go on.
                        _writing = false;
                        ResetCore("a write was cancelled", sendRst: true);
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                }
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    /// <summary>Half-closes: sends FIN after the bytes written so far; reading goes on.</summary>
    public ValueTask CompleteWritesAsync()
    {
        lock (_sync)
        {
            if (_finQueued || _resetReason is not null || _session.IsClosed)
            {
                return ValueTask.CompletedTask;
            }

            if (_writing)
            {
                throw new InvalidOperationException("A write is in progress on this stream.");
            }

            QueueFin();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Opening side: SYN announcing the opening window (as much as the session budget grants).</summary>
    internal void SendSyn()
    {
        var extraWindow = ExtraOpeningWindow();
        lock (_sync)
        {
            _holdsOpenSlot = true;
            _recvWindow += extraWindow;
            _recvCredit += extraWindow;
            _epochStart = MuxSession.Now;
            _pendingFlags |= FrameFlags.Syn;
            _pendingWindowDelta += (uint)extraWindow;
            _session.ScheduleControl(this);
        }
    }

    /// <summary>Accepting side: ACK with the opening window; false (window given back) if the stream was reset meanwhile.</summary>
    internal bool TryAccept()
    {
        var extraWindow = ExtraOpeningWindow();
        lock (_sync)
        {
            if (_resetReason is not null || _released)
            {
                _session.ReturnWindow(extraWindow);
                return false;
            }

            _acked = true;
            _recvWindow += extraWindow;
            _recvCredit += extraWindow;
            _epochStart = MuxSession.Now;
            _pendingFlags |= FrameFlags.Ack;
            _pendingWindowDelta += (uint)extraWindow;
            _session.ScheduleControl(this);
            return true;
        }
    }

    /// <summary>Read loop: the peer accepted the stream.</summary>
    internal void OnAck()
    {
        lock (_sync)
        {
            _acked = true;
            if (_holdsOpenSlot)
            {
                _holdsOpenSlot = false;
                _session.ReleaseOpenSlot();
            }
        }
    }

    /// <summary>Read loop: the peer granted more send window.</summary>
    internal void OnWindowUpdate(uint delta)
    {
        if (delta == 0)
        {
            return;
        }

        lock (_sync)
        {
            _sendWindow += delta;
            if (_sendWindow > uint.MaxValue)
            {
                // A window beyond 4 GiB means the peer's accounting is broken.
                _pending = default;
            }
            else if (!_pending.IsEmpty && _resetReason is null)
            {
                _session.ScheduleData(this);
                return;
            }
            else
            {
                return;
            }
        }

        ResetCore("window update overflowed the send window past 4 GiB", sendRst: true);
    }

    /// <summary>
    /// Write loop: appends this stream's pending control frame, and with <paramref name="includeData"/>
    /// one quantum of data, to the session's open batch; what does not fit waits for the next.
    /// </summary>
    internal void WriteFrames(bool includeData)
    {
        var wroteAll = false;
        lock (_sync)
        {
            bool finWritten;
            lock (_session.WriteLock)
            {
                if (!AppendControl(out finWritten))
                {
                    _session.QueueControl(this);
                }
                else if (includeData && _resetReason is null && !_pending.IsEmpty && _sendWindow > 0 && !_session.DataClosed)
                {
                    var room = _session.OpenBatchRoom().Length - FrameHeader.Size;
                    if (room > 0)
                    {
                        var chunk = (int)Math.Min(Math.Min(_pending.Length, _sendWindow), Math.Min(_session.Options.MaxFramePayload, room));
                        AppendData(_pending.Span[..chunk]);
                        _pending = _pending[chunk..];
                        _sendWindow -= chunk;
                    }

                    if (_pending.IsEmpty)
                    {
                        wroteAll = true;
                    }
                    else if (_sendWindow > 0)
                    {
                        // The write loop is the caller: it finds the stream again in this or the next batch.
                        _session.QueueData(this);
                    }
                }
            }

            if (finWritten)
            {
                _finSent = true;
                ReleaseIfDone();
            }
        }

        if (wroteAll)
        {
            _writeSignal.Set();
        }
    }

    /// <summary>
    /// Under _sync: frames a small write (up to <see cref="MuxSession.SmallMessage"/>, within the
    /// send window) straight into the session's open batch, its stream's pending control frame
    /// first; false when it does not fit (the write then waits for the write loop).
    /// </summary>
    private bool TryAppendDirect(ReadOnlySpan<byte> data)
    {
        if (data.Length > MuxSession.SmallMessage || data.Length > _sendWindow || _resetReason is not null)
        {
            return false;
        }

        var hasControl = _pendingFlags != FrameFlags.None || _pendingWindowDelta != 0;
        lock (_session.WriteLock)
        {
            if (_session.DataClosed || _session.OpenBatchRoom().Length < (hasControl ? 2 : 1) * FrameHeader.Size + data.Length)
            {
                return false;
            }

            // A FIN is never pending here: writes end before it is queued.
            AppendControl(out _);
            AppendData(data);
        }

        _sendWindow -= data.Length;
        return true;
    }

    /// <summary>Under _sync and the write lock: the pending control frame, if any, into the open batch; false when it does not fit.</summary>
    private bool AppendControl(out bool finWritten)
    {
        finWritten = false;
        if (_pendingFlags == FrameFlags.None && _pendingWindowDelta == 0)
        {
            return true;
        }

        var room = _session.OpenBatchRoom();
        if (room.Length < FrameHeader.Size)
        {
            return false;
        }

        new FrameHeader(FrameType.WindowUpdate, _pendingFlags, Id, _pendingWindowDelta).Write(room);
        _session.CommitToOpenBatch(FrameHeader.Size);
        finWritten = (_pendingFlags & FrameFlags.Fin) != 0;
        _pendingFlags = FrameFlags.None;
        _pendingWindowDelta = 0;
        return true;
    }

    /// <summary>Under _sync and the write lock, with room checked: one data frame into the open batch.</summary>
    private void AppendData(ReadOnlySpan<byte> data)
    {
        var room = _session.OpenBatchRoom();
        new FrameHeader(FrameType.Data, FrameFlags.None, Id, (uint)data.Length).Write(room);
        data.CopyTo(room[FrameHeader.Size..]);
        _session.CommitToOpenBatch(FrameHeader.Size + data.Length);
    }

    private int ExtraOpeningWindow() =>
        _withinBudget ? _session.TryReserveWindow(_session.Options.StreamWindow - MuxSession.BaselineWindow) : 0;

    /// <summary>Under _sync.</summary>
    private void QueueFin()
    {
        _finQueued = true;
        _pendingFlags |= FrameFlags.Fin;
        _session.ScheduleControl(this);
    }

    /// <summary>Under _sync.</summary>
    private void ThrowIfCannotWrite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_resetReason is { } reason)
        {
            throw new MuxException("Stream " + Id + " was reset: " + reason);
        }

        if (_session.CloseReason is { } closed)
        {
            throw new MuxException("The multiplexed session has ended: " + closed);
        }

        if (_finQueued)
        {
            throw new InvalidOperationException("Writes on stream " + Id + " were completed (FIN sent).");
        }

        if (_writing)
        {
            throw new InvalidOperationException("Another write is in progress on this stream.");
        }
    }
}
