using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>
/// A non-blocking TCP connect whose completion and deadline are watched by an
/// <see cref="EpollLoop"/>, so the new descriptor never joins .NET's own socket engine (which
/// would then see every later event on it too).
/// </summary>
/// <remarks>
/// It is its own awaitable: no Task, no CancellationTokenSource and no timer per connect (the
/// loop checks deadlines), because every allocation on the connection-setup path shows up in
/// the memory of each held connection until the next GC. The awaiting code continues on the loop
/// thread, and must not block there.
/// </remarks>
internal sealed class EpollConnect : IEpollHandler, IValueTaskSource<DescriptorConnectResult>
{
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private readonly IPEndPoint _endPoint;
    private readonly long _started;
    private ManualResetValueTaskSourceCore<DescriptorConnectResult> _core;
    private bool _watching;
    private bool _finished;

    private EpollConnect(EpollLoop loop, int fd, IPEndPoint endPoint, long started, TimeSpan timeout)
    {
        _loop = loop;
        _fd = fd;
        _endPoint = endPoint;
        _started = started;
        Deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
    }

    public EpollSlot Slot { get; set; } = EpollSlot.None;

    /// <summary>Environment.TickCount64 after which the loop gives up with a timeout.</summary>
    public long Deadline { get; }

    public bool Finished => _finished;

    /// <summary>Connects to <paramref name="endPoint"/> within <paramref name="timeout"/>.</summary>
    public static ValueTask<DescriptorConnectResult> ConnectAsync(EpollLoop loop, IPEndPoint endPoint, TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var (fd, errno) = Begin(endPoint);
        if (errno != LibC.EInProgress)
        {
            return new ValueTask<DescriptorConnectResult>(Result(fd, errno, endPoint, started));
        }

        var operation = new EpollConnect(loop, fd, endPoint, started, timeout);
        loop.Post(operation);
        return new ValueTask<DescriptorConnectResult>(operation, operation._core.Version);
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

    private static DescriptorConnectResult Result(int fd, int errno, IPEndPoint endPoint, long started)
    {
        var error = errno switch
        {
            0 => ConnectError.None,
            LibC.ETimedOut => ConnectError.Timeout,
            LibC.EConnRefused => ConnectError.Refused,
            LibC.ENetUnreach or LibC.EHostUnreach => ConnectError.Unreachable,
            LibC.EMFile or LibC.ENFile or LibC.ENoBufs => ConnectError.NoDescriptors,
            _ => ConnectError.Other,
        };
        return new DescriptorConnectResult(errno == 0 ? fd : -1, error, endPoint, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The deadline passed (called by the loop).</summary>
    public void TimeOut() => Complete(LibC.ETimedOut);

    void IEpollHandler.OnPosted()
    {
        if (_finished)
        {
            return;
        }

        _loop.Register(this);
        // One-shot: after the connect completes the registration stays (disarmed) for the pair
        // to modify, which saves a DEL and an ADD per connection.
        if (!_loop.Watch(_fd, 0, LibC.EpollOut | LibC.EpollOneShot, this, tag: 0))
        {
            Complete(LibC.LastError);
            return;
        }

        _watching = true;
        _loop.TrackDeadline(this);
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
        _loop.Unregister(this);
        if (errno != 0)
        {
            // Closing also takes it out of the epoll set.
            LibC.Close(_fd);
        }

        var result = Result(_fd, errno, _endPoint, _started);
        _core.SetResult(errno == 0 && _watching ? result with { Watch = LibC.EpollOut | LibC.EpollOneShot } : result);
    }

    DescriptorConnectResult IValueTaskSource<DescriptorConnectResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<DescriptorConnectResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<DescriptorConnectResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
