using System.Net.Sockets;
using Sluice.Forwarding.Epoll;
using Sluice.Protocols.Firehose;

namespace Sluice.Firehose;

/// <summary>
/// The epoll engine's side of a client connection (<see cref="FirehoseEngine"/>): once the
/// handshake is done, the client's descriptor is read on its <see cref="EpollLoop"/> thread
/// straight into the loop's shared buffer, and every complete frame goes from there into the
/// master outbox. No async state machine, no socket event thread and no buffer of the
/// connection's own, except a pooled one holding an incomplete frame until its rest arrives.
/// </summary>
/// <remarks>
/// <para>Level-triggered: EPOLLIN is watched while the master outbox has room (past its high water
/// the connection stops reading until the sender takes the batch), EPOLLOUT only while the client
/// left queued messages unsent (see <c>FirehoseConnection.Send.cs</c>).</para>
/// <para>The descriptor is never used by .NET's socket engine: the handshake waits for readiness on
/// the same loop (one-shot registrations), so the socket is in exactly one epoll set and no other
/// thread wakes for its events. It is closed only on the loop thread, in <see cref="Finish"/>,
/// after the send lock has fenced off the master thread's direct sends.</para>
/// </remarks>
internal sealed unsafe partial class FirehoseConnection : IEpollHandler
{
    /// <summary>Reads per readiness event before other connections get their turn.</summary>
    private const int ReadsPerEvent = 4;

    /// <summary>"In the epoll set, nothing armed": a one-shot registration that fired.</summary>
    private const uint Disarmed = LibC.EpollOneShot;

    private const uint Failed = LibC.EpollErr | LibC.EpollHup;

    private readonly EpollLoop? _loop;
    private readonly int _fd;
    private uint _watch;
    private TaskCompletionSource? _wait;
    private uint _waitEvents;
    private volatile bool _established;
    private volatile bool _closeRequested;
    private volatile bool _spaceWaitPending;
    private bool _started;
    private bool _finished;
    private bool _readPaused;
    private int _frameSize;

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    /// <summary>The handshake is done: the loop takes the connection over (epoll engine).</summary>
    private void Establish()
    {
        lock (_sendLock)
        {
            _established = true;
        }

        // An abort that raced with the handshake's end saw no established connection to close.
        if (_closed.IsCancellationRequested)
        {
            _closeRequested = true;
        }

        _loop!.Post(this);
    }

    /// <summary>Closes the connection on its loop thread (any thread, repeatedly).</summary>
    private void RequestClose()
    {
        _closeRequested = true;
        _loop!.Post(this);
    }

    void IEpollHandler.OnPosted()
    {
        if (_finished)
        {
            return;
        }

        if (Slot.IsNone)
        {
            _loop!.Register(this);
        }

        if (_closeRequested)
        {
            Finish(_closeReason ?? CloseReasons.Eof);
            return;
        }

        if (!_established)
        {
            if (Volatile.Read(ref _wait) is { Task.IsCompleted: false })
            {
                Watch(_waitEvents | LibC.EpollOneShot);
            }

            return;
        }

        if (!_started)
        {
            _started = true;

            // Bytes that came with the last handshake packet are routed before the first read,
            // and messages missed while the session was stale are sent before any new one.
            if (!Received.IsEmpty && !Route(Received.Length, fromLoopBuffer: false))
            {
                return;
            }

            if (!SendQueued(onLoop: true))
            {
                Finish(CloseReasons.Error);
                return;
            }
        }

        if (_readPaused && !_spaceWaitPending)
        {
            PauseOrResume();
        }

        UpdateWatch();
    }

    void IEpollHandler.OnEvents(uint events, int tag)
    {
        if (_finished)
        {
            return;
        }

        if (!_established)
        {
            _watch = Disarmed;
            Volatile.Read(ref _wait)?.TrySetResult();
            return;
        }

        try
        {
            OnReady(events);
        }
        catch
        {
            // A bug must not leave the descriptor open and the connection counted; the loop logs it.
            Finish(CloseReasons.Error);
            throw;
        }
    }

    private void OnReady(uint events)
    {
        if ((events & (LibC.EpollOut | Failed)) != 0 && _writeBlocked && !SendQueued(onLoop: true))
        {
            Finish(CloseReasons.Error);
            return;
        }

        if ((events & (LibC.EpollIn | Failed)) != 0)
        {
            if (_readPaused)
            {
                // Not reading (the master is behind) and the client is gone: nothing to wait for.
                if ((events & Failed) != 0)
                {
                    Finish(_closeReason ?? CloseReasons.Eof);
                    return;
                }
            }
            else if (!Read())
            {
                return;
            }
        }

        UpdateWatch();
    }

    private void UpdateWatch()
    {
        var wanted = (_readPaused ? 0 : LibC.EpollIn) | (_writeBlocked ? LibC.EpollOut : 0);
        Watch(wanted);
    }

    private void Watch(uint wanted)
    {
        if (!_loop!.Watch(_fd, _watch, wanted, this, tag: 0))
        {
            // epoll_ctl refused the descriptor: nothing more can be done with this connection.
            Finish(CloseReasons.Error);
            return;
        }

        _watch = wanted;
    }

    /// <summary>Closes the descriptor and ends the connection, exactly once; loop thread only.</summary>
    private void Finish(string reason)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        FenceSends();
        _loop!.Unregister(this);
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        // Closing the descriptor also takes it out of the epoll set (it has no duplicates).
        _socket.Dispose();
        ReleaseReceiveBuffer();
        if (_established && _session is { } session)
        {
            _service.ConnectionClosed(this, session, _closeReason!);
        }

        _closed.Dispose();
        _service.Released(this);
    }
}
