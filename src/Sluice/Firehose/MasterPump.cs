using Sluice.Forwarding.Epoll;

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
    private const int ReadsPerEvent = 4;
    private const uint Failed = LibC.EpollErr | LibC.EpollHup;

    private readonly FirehoseService _service;
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly MasterInbox _inbox;
    private readonly Action _wake;
    private readonly TaskCompletionSource<string> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _watch;
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
        _inbox = new MasterInbox(service);
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

        try
        {
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
        catch (Exception ex)
        {
            // A bug must not leave the link half alive; the link redials and the loop logs it.
            Finish(ex.Message);
            throw;
        }
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
                sent = LibC.SendAvailable(_fd, data, _sending.Length);
            }

            if (sent < 0)
            {
                Finish($"send failed: errno {LibC.LastError}");
                return false;
            }

            _sending = _sending[(int)sent..];
            if (!_sending.IsEmpty)
            {
                return true;
            }
        }
    }

    /// <summary>Reads the master's packets and routes them (<see cref="MasterInbox"/>); false once closed.</summary>
    private bool Receive()
    {
        for (var round = 0; round < ReadsPerEvent; round++)
        {
            var space = _inbox.Space().Span;
            nint read;
            fixed (byte* into = space)
            {
                read = LibC.ReceiveAvailable(_fd, into, space.Length);
            }

            if (read == LibC.WouldBlock)
            {
                return true;
            }

            if (read < 0)
            {
                Finish($"receive failed: errno {LibC.LastError}");
                return false;
            }

            if (read == 0)
            {
                Finish("master closed the connection");
                return false;
            }

            if (_inbox.Received((int)read) is { } error)
            {
                Finish(error);
                return false;
            }

            if (read < space.Length)
            {
                return true;
            }
        }

        return true;
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
