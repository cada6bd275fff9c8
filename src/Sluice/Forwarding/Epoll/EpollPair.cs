using System.Buffers;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// Two connected descriptors forwarded both ways on an <see cref="EpollLoop"/>: the byte pump
/// without sockets objects, async state machines or buffers of its own.
/// </summary>
/// <remarks>
/// <para>A readable descriptor is read into the loop's shared buffer and written straight to the
/// other side (one recv and one send per message). Only when the other side takes less than was
/// read does the remainder go into a pooled buffer, and the direction stops reading until it is
/// written: that is the backpressure, and the only buffer a connection ever holds.</para>
/// <para>EOF one way is passed on as a FIN (shutdown of the write side) once everything before it
/// is written; the connection ends when both ways have. A reset or a failed write closes both
/// descriptors with RST, so each peer sees the same abrupt end. Idle timeouts and drain arrive from
/// other threads through <see cref="Abort"/> and are carried out on the loop thread, which alone
/// touches the descriptors, so a descriptor is never used after it was closed and reused.</para>
/// </remarks>
internal abstract unsafe class EpollPair : TrackedConnection, IEpollHandler
{
    private const uint Failed = LibC.EpollErr | LibC.EpollHup;
    private const int ReadsPerEvent = 4;

    private readonly EpollLoop _loop;
    private readonly ConnectionRegistry _registry;
    private readonly IByteCounter? _counter;
    private Direction _up;
    private Direction _down;
    private uint _clientWatch;
    private uint _upstreamWatch;
    private int _abortRequest = -1;
    private bool _started;
    private bool _closed;

    /// <param name="upstreamWatch">The upstream descriptor's registration on <paramref name="loop"/> left by its connect, or 0.</param>
    protected EpollPair(EpollLoop loop, int clientFd, int upstreamFd, uint upstreamWatch, TimeSpan idleTimeout, ConnectionRegistry registry, IByteCounter? counter)
    {
        _upstreamWatch = upstreamWatch;
        _loop = loop;
        _registry = registry;
        _counter = counter;
        _up = new Direction(clientFd, upstreamFd, fromClient: true);
        _down = new Direction(upstreamFd, clientFd, fromClient: false);
        IdleTimeoutMs = (long)idleTimeout.TotalMilliseconds;
    }

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    /// <summary>Hands the pair to its loop. From here on, <see cref="OnClosed"/> is called exactly once.</summary>
    public void Start()
    {
        _registry.Add(this);
        _loop.Post(this);
    }

    /// <summary>Ends the connection politely (FIN both ways); safe from any thread, repeatedly.</summary>
    public override void Abort(CloseReason reason)
    {
        if (Interlocked.CompareExchange(ref _abortRequest, (int)reason, -1) == -1)
        {
            _loop.Post(this);
        }
    }

    /// <summary>Called once on the loop thread after both descriptors are closed.</summary>
    protected abstract void OnClosed();

    void IEpollHandler.OnPosted()
    {
        if (_closed)
        {
            return;
        }

        if (!_started)
        {
            _started = true;
            _loop.Register(this);
            if (!Guard(UpdateWatches()))
            {
                return;
            }
        }

        var abort = Volatile.Read(ref _abortRequest);
        if (abort >= 0)
        {
            Finish((CloseReason)abort, reset: false);
        }
    }

    void IEpollHandler.OnEvents(uint events, int tag)
    {
        if (_closed)
        {
            return;
        }

        try
        {
            var proceed = tag == 1
                ? OnReady(ref _up, ref _down, events)
                : OnReady(ref _down, ref _up, events);
            if (!proceed)
            {
                return;
            }

            if (_up.Shut && _down.Shut)
            {
                Finish(CloseReason.Completed, reset: false);
                return;
            }

            Guard(UpdateWatches());
        }
        catch
        {
            Finish(CloseReason.Completed, reset: true);
            throw;
        }
    }

    /// <summary>One descriptor is ready: <paramref name="into"/> writes to it, <paramref name="from"/> reads from it.</summary>
    private bool OnReady(ref Direction into, ref Direction from, uint events)
    {
        if (into.Pending is not null && (events & (LibC.EpollOut | Failed)) != 0 && !Flush(ref into))
        {
            return false;
        }

        if (from.CanRead && (events & (LibC.EpollIn | Failed)) != 0)
        {
            return Forward(ref from);
        }

        return true;
    }

    /// <summary>Reads from the direction's source and writes to its destination until the source is
    /// drained, the destination pushes back, or a few reads went by (fairness to other connections).</summary>
    private bool Forward(ref Direction d)
    {
        var buffer = _loop.Buffer;
        for (var round = 0; round < ReadsPerEvent; round++)
        {
            var read = LibC.ReceiveAvailable(d.From, buffer, EpollLoop.BufferSize);
            if (read == LibC.WouldBlock)
            {
                return true;
            }

            if (read < 0)
            {
                Finish(d.FromClient ? CloseReason.ClientReset : CloseReason.UpstreamReset, reset: true);
                return false;
            }

            if (read == 0)
            {
                d.Eof = true;
                ShutdownIfDrained(ref d);
                return true;
            }

            CountBytes(d.FromClient, read, _counter);
            var sent = LibC.SendAvailable(d.To, buffer, read);
            if (sent < 0)
            {
                Finish(d.FromClient ? CloseReason.UpstreamReset : CloseReason.ClientReset, reset: true);
                return false;
            }

            if (sent < read)
            {
                var rest = (int)(read - sent);
                d.Pending = ArrayPool<byte>.Shared.Rent(rest);
                new ReadOnlySpan<byte>(buffer + sent, rest).CopyTo(d.Pending);
                d.Offset = 0;
                d.Count = rest;
                return true;
            }

            if (read < EpollLoop.BufferSize)
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>Writes what the destination refused before; once all is out, reads on.</summary>
    private bool Flush(ref Direction d)
    {
        nint sent;
        fixed (byte* pending = d.Pending)
        {
            sent = LibC.SendAvailable(d.To, pending + d.Offset, d.Count);
        }

        if (sent < 0)
        {
            Finish(d.FromClient ? CloseReason.UpstreamReset : CloseReason.ClientReset, reset: true);
            return false;
        }

        Touch();
        d.Offset += (int)sent;
        d.Count -= (int)sent;
        if (d.Count > 0)
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(d.Pending!);
        d.Pending = null;
        if (d.Eof)
        {
            ShutdownIfDrained(ref d);
            return true;
        }

        // The source has likely kept sending while we waited; take it now rather than after
        // another trip through epoll_wait.
        return Forward(ref d);
    }

    private static void ShutdownIfDrained(ref Direction d)
    {
        if (d.Eof && d.Pending is null && !d.Shut)
        {
            // Fails only when the destination is already gone; the other direction learns that.
            LibC.Shutdown(d.To, LibC.ShutWr);
            d.Shut = true;
        }
    }

    private bool UpdateWatches()
    {
        var client = (_up.CanRead ? LibC.EpollIn : 0) | (_down.Pending is not null ? LibC.EpollOut : 0);
        var upstream = (_down.CanRead ? LibC.EpollIn : 0) | (_up.Pending is not null ? LibC.EpollOut : 0);
        if (!_loop.Watch(_up.From, _clientWatch, client, this, tag: 0))
        {
            return false;
        }

        _clientWatch = client;
        if (!_loop.Watch(_down.From, _upstreamWatch, upstream, this, tag: 1))
        {
            return false;
        }

        _upstreamWatch = upstream;
        return true;
    }

    private bool Guard(bool succeeded)
    {
        if (!succeeded)
        {
            // epoll_ctl refused a descriptor: nothing more can be done with this connection.
            Finish(CloseReason.Completed, reset: true);
        }

        return succeeded;
    }

    private void Finish(CloseReason reason, bool reset)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        TrySetCloseReason(reason);

        // Closing a descriptor also takes it out of the epoll set (no duplicates of it exist).
        // After FIN both ways there is nothing left to shut down: close only.
        var finished = _up.Shut && _down.Shut;
        Close(_up.From, reset, finished);
        Close(_down.From, reset, finished);
        Release(ref _up);
        Release(ref _down);
        _loop.Unregister(this);
        _registry.Remove(this);
        OnClosed();
    }

    private static void Close(int fd, bool reset, bool finished)
    {
        if (reset)
        {
            LibC.SetResetOnClose(fd);
        }
        else if (!finished)
        {
            // FIN both ways first, so that ending an idle or draining connection is polite.
            LibC.Shutdown(fd, LibC.ShutRdWr);
        }

        LibC.Close(fd);
    }

    private static void Release(ref Direction d)
    {
        if (d.Pending is not null)
        {
            ArrayPool<byte>.Shared.Return(d.Pending);
            d.Pending = null;
        }
    }

    /// <summary>One way through the pair.</summary>
    private struct Direction(int from, int to, bool fromClient)
    {
        public readonly int From = from;
        public readonly int To = to;
        public readonly bool FromClient = fromClient;

        /// <summary>Bytes read but not yet taken by <see cref="To"/>; null nearly always.</summary>
        public byte[]? Pending;
        public int Offset;
        public int Count;

        /// <summary>The source sent FIN.</summary>
        public bool Eof;

        /// <summary>The FIN was passed on to the destination.</summary>
        public bool Shut;

        public readonly bool CanRead => !Eof && Pending is null;
    }
}
