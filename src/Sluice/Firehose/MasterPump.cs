using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// The master link's connection with the epoll engine: the master's descriptor on the same
/// <see cref="EpollLoop"/> as the firehose's clients. One thread then reads the clients, sends
/// the outbox to the master once per loop turn (a client read's write into the outbox posts the
/// pump, and posts from the loop thread run at the end of its turn), reads the master and routes
/// its packets straight into the clients' sockets: no thread hands work to another on the data
/// path.
/// </summary>
/// <remarks>
/// Level-triggered: EPOLLIN always, EPOLLOUT only while the master left part of a batch unsent.
/// Then the outbox fills, and past its high water the clients stop reading (backpressure).
/// </remarks>
internal sealed unsafe class MasterPump : IEpollHandler
{
    /// <summary>The master receive buffer: one per link, many reads' worth of small packets.</summary>
    private const int ReceiveBufferSize = 256 * 1024;

    private const int ReadsPerEvent = 4;
    private const uint Failed = LibC.EpollErr | LibC.EpollHup;

    private readonly FirehoseService _service;
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly int _maxFrame;
    private readonly Action _wake;
    private readonly TaskCompletionSource<string> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _watch;
    private byte[] _buffer = new byte[ReceiveBufferSize];
    private int _start;
    private int _end;
    private int _frameSize;
    private ReadOnlyMemory<byte> _sending;
    private volatile bool _stopRequested;
    private bool _finished;

    /// <param name="watch">The descriptor's registration left by its connect on <paramref name="loop"/>.</param>
    /// <param name="first">Bytes sent before anything in the outbox (the connected events of master_events).</param>
    public MasterPump(FirehoseService service, EpollLoop loop, int fd, uint watch, ReadOnlyMemory<byte> first)
    {
        _service = service;
        _loop = loop;
        _fd = fd;
        _watch = watch;
        _sending = first;
        _wake = () => _loop.Post(this);

        // A broadcast may name up to 65,536 ids (8 bytes each) besides its message.
        _maxFrame = checked((int)service.MaxMessage + TaggedPacket.HeaderSize + 4 + (8 * 65536));
    }

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    /// <summary>Starts pumping; completes with the reason the connection ended (the descriptor is closed by then).</summary>
    public Task<string> RunAsync()
    {
        _loop.Post(this);
        return _done.Task;
    }

    /// <summary>Ends the connection (any thread).</summary>
    public void Stop()
    {
        _stopRequested = true;
        _loop.Post(this);
    }

    void IEpollHandler.OnPosted()
    {
        if (_finished)
        {
            return;
        }

        if (Slot.IsNone)
        {
            _loop.Register(this);
        }

        if (_stopRequested)
        {
            Finish("stopped");
            return;
        }

        if (Send())
        {
            UpdateWatch();
        }
    }

    void IEpollHandler.OnEvents(uint events, int tag)
    {
        if (_finished)
        {
            return;
        }

        if ((events & (LibC.EpollOut | Failed)) != 0 && !_sending.IsEmpty && !Send())
        {
            return;
        }

        if ((events & (LibC.EpollIn | Failed)) != 0 && !Receive())
        {
            return;
        }

        UpdateWatch();
    }

    /// <summary>Sends the outbox until it is empty or the master pushes back; false once closed.</summary>
    private bool Send()
    {
        while (true)
        {
            if (_sending.IsEmpty)
            {
                _sending = _service.Master.Outbox.TryTake(_wake);
                if (_sending.IsEmpty)
                {
                    return true;
                }
            }

            nint sent;
            fixed (byte* data = _sending.Span)
            {
                sent = LibC.Send(_fd, data, _sending.Length, LibC.MsgDontWait | LibC.MsgNoSignal);
            }

            if (sent < 0)
            {
                var errno = LibC.LastError;
                if (errno == LibC.EAgain)
                {
                    return true;
                }

                if (errno == LibC.EIntr)
                {
                    continue;
                }

                Finish($"send failed: errno {errno}");
                return false;
            }

            _sending = _sending[(int)sent..];
            if (!_sending.IsEmpty)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Reads and routes the master's packets in arrival order (see MasterLink.ReceiveLoopAsync for
    /// the sockets engine); every client that got some is flushed once per read. False once closed.
    /// </summary>
    private bool Receive()
    {
        for (var round = 0; round < ReadsPerEvent; round++)
        {
            MakeRoom();
            nint read;
            fixed (byte* into = &_buffer[_end])
            {
                read = LibC.Recv(_fd, into, _buffer.Length - _end, LibC.MsgDontWait);
            }

            if (read < 0)
            {
                var errno = LibC.LastError;
                if (errno == LibC.EAgain)
                {
                    return true;
                }

                if (errno == LibC.EIntr)
                {
                    continue;
                }

                Finish($"receive failed: errno {errno}");
                return false;
            }

            if (read == 0)
            {
                Finish("master closed the connection");
                return false;
            }

            var full = _end + read == _buffer.Length;
            _end += (int)read;
            if (Route() is { } error)
            {
                Finish(error);
                return false;
            }

            if (!full)
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>Room after the received bytes for at least the pending frame, or a quarter buffer.</summary>
    private void MakeRoom()
    {
        if (_frameSize > _buffer.Length)
        {
            // A frame larger than the buffer (a big message or broadcast): a buffer its size, kept.
            var bigger = new byte[_frameSize];
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            (_buffer, _end, _start) = (bigger, _end - _start, 0);
        }
        else if (_end == _buffer.Length || _start + Math.Max(_frameSize, ReceiveBufferSize / 4) > _buffer.Length)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            (_end, _start) = (_end - _start, 0);
        }
    }

    /// <summary>Routes every complete packet received; the reason to close on a protocol error, else null.</summary>
    private string? Route()
    {
        FrameReadResult result;
        int length;
        while ((result = Framing.TryReadFrame(_buffer.AsSpan(_start, _end - _start), _maxFrame, out length)) == FrameReadResult.Frame)
        {
            var payload = _buffer.AsMemory(_start + Framing.HeaderSize, length);
            if (!TaggedPacket.TryParseHeader(payload.Span, out var id, out var flags))
            {
                _service.FlushDeliveries();
                return "master sent a frame shorter than the 9-byte tag";
            }

            _service.FromMaster(id, flags, payload[TaggedPacket.HeaderSize..]);
            _start += Framing.HeaderSize + length;
        }

        _service.FlushDeliveries();
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (result == FrameReadResult.TooLarge)
        {
            return "master sent a frame above the size cap";
        }

        _frameSize = Framing.HeaderSize + Math.Max(0, length);
        return null;
    }

    private void UpdateWatch()
    {
        var wanted = LibC.EpollIn | (_sending.IsEmpty ? 0 : LibC.EpollOut);
        if (!_loop.Watch(_fd, _watch, wanted, this, tag: 0))
        {
            Finish($"epoll_ctl failed: errno {LibC.LastError}");
            return;
        }

        _watch = wanted;
    }

    private void Finish(string reason)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _loop.Unregister(this);
        LibC.Shutdown(_fd, LibC.ShutRdWr);
        LibC.Close(_fd);
        _sending = default;
        _done.TrySetResult(reason);
    }
}
