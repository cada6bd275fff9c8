using System.Runtime.CompilerServices;
using Sluice.Protocols.Multiplexing;

namespace Sluice.Multiplexing;

internal sealed partial class MuxStream
{
    private const string SessionBoundReason = "session buffer bound reached (MaxSessionBuffer)";

    private readonly ReceiveBuffer _received = new();
    private readonly AsyncSignal _readSignal = new();
    private readonly long _opened;

    // Receive-side flow control, guarded by _sync. Invariant while open:
    // _recvCredit (peer may still send) + buffered + _recvUnacked (read, credit not yet returned) == _recvWindow.
    private long _recvCredit;
    private int _recvWindow;
    private int _recvUnacked;
    private long _epochStart;
    private bool _remoteFin;
    private bool _readerWaiting;

    /// <summary>
    /// Set before first use by an application whose reader never blocks between its reads (a
    /// pump from the stream to a socket): when a transport read brings it a small message, the
    /// session's read loop then runs it on its own thread once that read is handled, instead of
    /// handing it to the thread pool.
    /// </summary>
    internal bool InlineWakeups { get; set; }

    /// <summary>Owned by the session's read loop: the stream waits in its list of inline wake-ups.</summary>
    internal bool InReaderWakes { get; set; }

    /// <summary>
    /// Reads received bytes; 0 once the peer half-closed and everything was read. A zero-length
    /// buffer waits until data is available without taking any (for pumps that hold no buffer
    /// while idle).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        CancellationTokenRegistration registration = default;
        var waited = false;
        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (waited)
                    {
                        _readerWaiting = false;
                        waited = false;
                    }

                    if (_received.Length > 0)
                    {
                        if (buffer.IsEmpty)
                        {
                            return 0;
                        }

                        var read = _received.Read(buffer.Span);
                        _session.RemoveBuffered(read);
                        OnConsumed(read);
                        return read;
                    }

                    ObjectDisposedException.ThrowIf(_disposed, this);
                    if (_resetReason is { } reason)
                    {
                        throw new MuxException("Stream " + Id + " was reset: " + reason);
                    }

                    if (_remoteFin)
                    {
                        return 0;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    if (_readerWaiting)
                    {
                        throw new InvalidOperationException("Another read is already waiting on this stream.");
                    }

                    _readerWaiting = true;
                    waited = true;
                }

                if (cancellationToken.CanBeCanceled && registration == default)
                {
                    registration = cancellationToken.UnsafeRegister(static s => ((MuxStream)s!)._readSignal.Set(), this);
                }

                await _readSignal.WaitAsync();
            }
        }
        finally
        {
            registration.Dispose();
            if (waited)
            {
                lock (_sync)
                {
                    _readerWaiting = false;
                }
            }
        }
    }

    internal void SignalReader() => _readSignal.Set();

    /// <summary>Read loop: bytes waiting for the reader (read without the lock: it only picks the wake-up path).</summary>
    internal long BufferedForReader => _received.Length;

    internal void SignalReaderInline() => _readSignal.SetInline();

    /// <summary>Read loop: a data frame of <paramref name="length"/> bytes begins; false to discard its payload.</summary>
    internal bool OnDataHeader(uint length)
    {
        var options = _session.Options;
        if (_withinBudget && length > 0 && _session.BufferedBytes + length > options.MaxSessionBuffer)
        {
            _session.MakeRoom(length, this);
        }

        string? violation = null;
        lock (_sync)
        {
            if (_resetReason is not null)
            {
                return false;
            }

            if (length == 0)
            {
                return true;
            }

            if (_remoteFin)
            {
                violation = "data after the peer's FIN";
            }
            else if (length > _recvCredit)
            {
                MuxLog.WindowOverflow(_session.Logger, Id, length, _recvCredit);
                violation = "window overflow";
            }
            else if (_disposed)
            {
                violation = "data arrived after the application closed the stream";
            }
            else if (_session.BufferedBytes + length > options.MaxSessionBuffer)
            {
                MuxLog.SessionBufferFull(_session.Logger, Id, length, options.MaxSessionBuffer, _session.BufferedBytes);
                violation = SessionBoundReason;
            }
            else
            {
                _recvCredit -= length;
                return true;
            }
        }

        ResetCore(violation, sendRst: true);
        return false;
    }

    /// <summary>Read loop: a piece of the current data frame's payload.</summary>
    internal void OnPayload(ReadOnlySpan<byte> payload)
    {
        lock (_sync)
        {
            if (_resetReason is not null)
            {
                return;
            }

            _received.Append(payload);
            _session.AddBuffered(payload.Length);
        }

        _session.WakeReader(this);
    }

    /// <summary>Read loop: the frame (and its payload) is complete; FIN and RST take effect now.</summary>
    internal void OnFrameEnd(FrameFlags flags)
    {
        if ((flags & FrameFlags.Rst) != 0)
        {
            ResetCore("reset by the peer", sendRst: false);
            return;
        }

        if ((flags & FrameFlags.Fin) != 0)
        {
            lock (_sync)
            {
                _remoteFin = true;
                ReleaseIfDone();
            }

            // Never inline: the reader's end runs the connection's teardown and access log,
            // which may wait on a full log queue and must not hold up the read loop.
            _readSignal.Set();
        }
    }

    /// <summary>
    /// Returns credit once half the window has been read (yamux's rule). Auto-tune: if that half
    /// was consumed within two round trips of the last update, the window — not the reader — is
    /// the bottleneck, so it doubles (up to MaxStreamWindow, as the session budget allows).
    /// </summary>
    private void OnConsumed(int read)
    {
        if (_remoteFin || _resetReason is not null)
        {
            return;
        }

        _recvUnacked += read;
        if (_recvUnacked < _recvWindow / 2)
        {
            return;
        }

        var now = MuxSession.Now;
        var rtt = _session.MinRttTicks;
        var grow = 0;
        var options = _session.Options;
        if (_withinBudget && _recvWindow < options.MaxStreamWindow && rtt > 0 && now - _epochStart < 2 * rtt)
        {
            grow = _session.TryReserveWindow(Math.Min(_recvWindow, options.MaxStreamWindow - _recvWindow));
            if (grow > 0)
            {
                MuxLog.WindowGrown(_session.Logger, Id, _recvWindow, _recvWindow + grow);
                _session.CountWindowGrowth();
                _recvWindow += grow;
            }
        }

        _epochStart = now;
        var delta = _recvUnacked + grow;
        _recvUnacked = 0;
        _recvCredit += delta;
        _pendingWindowDelta += (uint)delta;
        _session.ScheduleControl(this);
    }

    /// <summary>Unread bytes of an over-budget stream (0 for a stream within budget).</summary>
    internal long OverBudgetBuffered
    {
        get
        {
            lock (_sync)
            {
                return _withinBudget || _resetReason is not null ? 0 : _received.Length;
            }
        }
    }

    internal void ResetForSessionBound() => ResetCore(SessionBoundReason, sendRst: true);

    private void DropReceived()
    {
        var dropped = _received.Clear();
        if (dropped > 0)
        {
            _session.RemoveBuffered(dropped);
        }
    }
}
