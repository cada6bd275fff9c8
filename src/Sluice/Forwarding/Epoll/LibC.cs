using System.Runtime.InteropServices;

namespace Sluice.Forwarding.Epoll;

/// <summary>The Linux system calls the epoll engine makes, and their constants (x86-64 and arm64 values).</summary>
/// <remarks>Every call sets errno for <see cref="Marshal.GetLastPInvokeError"/>; nothing here throws.</remarks>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    public const int EIntr = 4;
    public const int EAgain = 11;
    public const int ENFile = 23;
    public const int EMFile = 24;
    public const int EConnAborted = 103;
    public const int ENoBufs = 105;
    public const int ETimedOut = 110;
    public const int EConnRefused = 111;
    public const int EHostUnreach = 113;
    public const int ENetUnreach = 101;
    public const int EInProgress = 115;

    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const int EpollCtlMod = 3;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollExclusive = 1u << 28;
    public const uint EpollOneShot = 1u << 30;

    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;

    public const int MsgPeek = 0x02;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;

    public const int ShutWr = 1;
    public const int ShutRdWr = 2;

    public const int SolSocket = 1;
    public const int SoError = 4;
    public const int SoLinger = 13;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;

    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int SockStream = 1;
    public const int SockNonblock = 0x800;
    public const int SockCloexec = 0x80000;

    [LibraryImport(Library, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    /// <param name="ev">A struct epoll_event in the platform's layout (see <see cref="EpollEventLayout"/>).</param>
    [LibraryImport(Library, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport(Library, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, void* buffer, nint length, int flags);

    [LibraryImport(Library, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, void* buffer, nint length, int flags);

    [LibraryImport(Library, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, byte* address, uint* addressLength, int flags);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, byte* address, uint addressLength);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint valueLength);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* valueLength);

    /// <summary>Sets SO_LINGER to {on, 0 s}, so that close() sends RST instead of FIN.</summary>
    public static void SetResetOnClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        SetSockOpt(fd, SolSocket, SoLinger, linger, sizeof(int) * 2);
    }

    /// <summary>What <see cref="ReceiveAvailable"/> returns when the socket has nothing to read now.</summary>
    public const nint WouldBlock = -2;

    /// <summary>
    /// Reads what the socket has now (non-blocking, EINTR retried): the count read, 0 at the end
    /// of the stream, <see cref="WouldBlock"/> when nothing is there, or -1 on another error
    /// (errno in <see cref="LastError"/>).
    /// </summary>
    public static nint ReceiveAvailable(int fd, void* buffer, nint length)
    {
        while (true)
        {
            var read = Recv(fd, buffer, length, MsgDontWait);
            if (read >= 0)
            {
                return read;
            }

            var errno = LastError;
            if (errno == EAgain)
            {
                return WouldBlock;
            }

            if (errno != EIntr)
            {
                return -1;
            }
        }
    }

    /// <summary>
    /// Writes as much of <paramref name="data"/> as the socket takes now (non-blocking, no
    /// SIGPIPE): the count written, which is less than asked when the socket is full, or -1 on
    /// an error other than EAGAIN.
    /// </summary>
    public static nint SendAvailable(int fd, byte* data, nint length)
    {
        nint written = 0;
        while (written < length)
        {
            var sent = Send(fd, data + written, length - written, MsgDontWait | MsgNoSignal);
            if (sent < 0)
            {
                var errno = LastError;
                if (errno == EAgain)
                {
                    return written;
                }

                if (errno == EIntr)
                {
                    continue;
                }

                return -1;
            }

            written += sent;
        }

        return written;
    }

    public static int LastError => Marshal.GetLastPInvokeError();
}
