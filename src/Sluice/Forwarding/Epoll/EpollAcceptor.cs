using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// Accepts on one listening socket from one epoll loop. Every loop watches the listener with
/// EPOLLEXCLUSIVE, so a new connection wakes one loop, which accepts it and serves it: no hand-off
/// between threads, no .NET Socket per connection, and the load spreads to whichever loop is free.
/// </summary>
/// <remarks>
/// Out of descriptors (EMFILE/ENFILE) or kernel memory, the acceptor stops watching, backs off
/// (10 ms doubling to 1 s) and watches again, so a full table neither spins the loop nor ends the
/// listener; the pending connections wait in the backlog. Accepted sockets inherit TCP_NODELAY
/// and nothing else from the listener that matters here.
/// </remarks>
internal sealed unsafe partial class EpollAcceptor : IEpollHandler
{
    private const int AcceptsPerEvent = 32;
    private const int MinBackoffMs = 10;
    private const int MaxBackoffMs = 1000;

    private readonly EpollLoop _loop;
    private readonly int _listenerFd;
    private readonly Func<IConnectionHandler> _handler;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly IPEndPoint _endPoint;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _watching;
    private int _backoffMs = MinBackoffMs;
    private volatile bool _stopRequested;
    private bool _finished;

    public EpollAcceptor(EpollLoop loop, int listenerFd, Func<IConnectionHandler> handler, ILogger logger, string owner, IPEndPoint endPoint)
    {
        _loop = loop;
        _listenerFd = listenerFd;
        _handler = handler;
        _logger = logger;
        _owner = owner;
        _endPoint = endPoint;
    }

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    public void Start() => _loop.Post(this);

    /// <summary>Stops watching; the task completes once the loop will not touch the listener again.</summary>
    public Task StopAsync()
    {
        _stopRequested = true;
        _loop.Post(this);
        return _stopped.Task;
    }

    void IEpollHandler.OnPosted()
    {
        if (_finished)
        {
            return;
        }

        if (_stopRequested)
        {
            Watch(0);
            _loop.Unregister(this);
            _finished = true;
            _stopped.TrySetResult();
            return;
        }

        if (Slot.IsNone)
        {
            _loop.Register(this);
        }

        Watch(LibC.EpollIn | LibC.EpollExclusive);
    }

    void IEpollHandler.OnEvents(uint events, int tag)
    {
        if (_finished || _stopRequested)
        {
            return;
        }

        var address = stackalloc byte[128];
        for (var i = 0; i < AcceptsPerEvent; i++)
        {
            var length = 128u;
            var fd = LibC.Accept4(_listenerFd, address, &length, LibC.SockNonblock | LibC.SockCloexec);
            if (fd < 0)
            {
                var errno = LibC.LastError;
                if (errno is LibC.EAgain or LibC.EConnAborted or LibC.EIntr)
                {
                    if (errno == LibC.EAgain)
                    {
                        return;
                    }

                    continue;
                }

                BackOff(errno);
                return;
            }

            _backoffMs = MinBackoffMs;
            var remote = SocketAddressReader.Read(new ReadOnlySpan<byte>(address, (int)Math.Min(length, 128u)));
            Hand(fd, remote);
        }
    }

    private void Hand(int fd, IPEndPoint? remote)
    {
        try
        {
            var handler = _handler();
            if (handler is IDescriptorConnectionHandler descriptors)
            {
                descriptors.OnAccepted(fd, remote, _loop);
            }
            else
            {
                // A reload swapped in a handler that wants Sockets: give it one.
                handler.OnAccepted(new Socket(new SafeSocketHandle(fd, ownsHandle: true)));
            }
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, _owner, ex);
        }
    }

    private void BackOff(int errno)
    {
        // EMFILE/ENFILE/ENOBUFS/ENOMEM: the connection stays in the backlog and the listener
        // stays readable, so watching on would spin. Pause this loop's watch, then resume.
        Watch(0);
        var delay = _backoffMs;
        _backoffMs = Math.Min(_backoffMs * 2, MaxBackoffMs);
        LogAcceptFailed(_logger, _owner, _endPoint, errno, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno), delay);
        _ = Task.Delay(delay).ContinueWith(static (_, state) => ((EpollAcceptor)state!).Start(), this, TaskScheduler.Default);
    }

    private void Watch(uint wanted)
    {
        if (_loop.Watch(_listenerFd, _watching, wanted, this, tag: 0))
        {
            _watching = wanted;
        }
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "{Owner}: accept on {Endpoint} failed with errno {Errno} ({Error}); retrying in {BackoffMs} ms")]
    private static partial void LogAcceptFailed(ILogger logger, string owner, IPEndPoint endpoint, int errno, string error, int backoffMs);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "{Owner}: connection handler threw; connection closed")]
    private static partial void LogHandlerFailed(ILogger logger, string owner, Exception exception);
}
