using System.Net;
using System.Net.Sockets;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// A non-blocking TCP connect whose completion is watched by an <see cref="EpollLoop"/>, so the
/// new descriptor never joins .NET's own socket engine (which would then see every later event
/// on it too).
/// </summary>
internal sealed class EpollConnect : IEpollHandler
{
    private const int ECanceled = 125;

    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _watching;
    private bool _finished;
    private volatile bool _cancelled;

    private EpollConnect(EpollLoop loop, int fd)
    {
        _loop = loop;
        _fd = fd;
    }

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    /// <summary>
    /// Connects to <paramref name="endPoint"/>: the connected descriptor and 0, or -1 and the errno
    /// (ECANCELED when <paramref name="cancellationToken"/> ended it first).
    /// </summary>
    public static async ValueTask<(int Fd, int Errno)> ConnectAsync(EpollLoop loop, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var (fd, errno) = Begin(endPoint);
        if (fd < 0 || errno == 0)
        {
            return (fd, errno);
        }

        var operation = new EpollConnect(loop, fd);
        loop.Post(operation);
        using (cancellationToken.UnsafeRegister(static state => ((EpollConnect)state!).Cancel(), operation))
        {
            errno = await operation._done.Task.ConfigureAwait(false);
        }

        return errno == 0 ? (fd, 0) : (-1, errno);
    }

    /// <summary>Starts the connect: (fd, 0) when done at once, (fd, EINPROGRESS) to wait, (-1, errno) on failure.</summary>
    private static unsafe (int Fd, int Errno) Begin(IPEndPoint endPoint)
    {
        var family = endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? LibC.AfInet6 : LibC.AfInet;
        var fd = LibC.Socket(family, LibC.SockStream | LibC.SockNonblock | LibC.SockCloexec, 0);
        if (fd < 0)
        {
            return (-1, LibC.LastError);
        }

        var one = 1;
        LibC.SetSockOpt(fd, LibC.IpProtoTcp, LibC.TcpNoDelay, &one, sizeof(int));
        var address = stackalloc byte[SocketAddressWriter.MaxLength];
        var length = SocketAddressWriter.Write(endPoint, address);
        if (LibC.Connect(fd, address, length) == 0)
        {
            return (fd, 0);
        }

        var errno = LibC.LastError;
        if (errno == LibC.EInProgress)
        {
            return (fd, errno);
        }

        LibC.Close(fd);
        return (-1, errno);
    }

    private void Cancel()
    {
        _cancelled = true;
        _loop.Post(this);
    }

    void IEpollHandler.OnPosted()
    {
        if (_finished)
        {
            return;
        }

        if (!_watching)
        {
            _loop.Register(this);
            if (!_loop.Watch(_fd, 0, LibC.EpollOut, this, tag: 0))
            {
                Complete(LibC.LastError);
                return;
            }

            _watching = true;
        }

        if (_cancelled)
        {
            Complete(ECanceled);
        }
    }

    unsafe void IEpollHandler.OnEvents(uint events, int tag)
    {
        if (_finished)
        {
            return;
        }

        int error = 0;
        var length = (uint)sizeof(int);
        if (LibC.GetSockOpt(_fd, LibC.SolSocket, LibC.SoError, &error, &length) != 0)
        {
            error = LibC.LastError;
        }

        Complete(error);
    }

    private void Complete(int errno)
    {
        _finished = true;
        if (_watching)
        {
            _loop.Watch(_fd, LibC.EpollOut, 0, this, tag: 0);
        }

        _loop.Unregister(this);
        if (errno != 0)
        {
            LibC.Close(_fd);
        }

        _done.TrySetResult(errno);
    }
}
