using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sluice.Multiplexing;

/// <summary>
/// Runs a callback on the runtime's socket event thread after the socket events of its current
/// wake-up: <see cref="Wake"/> writes one byte into a private socket pair whose other end has a
/// receive pending, so the callback runs when the event loop next collects events, once however
/// many times it was woken meanwhile. The session's write loop is woken this way after small
/// writes: every small message that arrived in one epoll wake-up still goes into one batch (one
/// TLS record, one send), as with a thread-pool wake-up, but without handing the write to another
/// thread (a futex wake, a context switch, one more thread waiting for a core).
/// </summary>
/// <remarks>
/// Continuations run on the event thread only with inline socket completions (the CLI sets
/// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS); without them the callback runs on the thread
/// pool, which is the old behaviour. The callback must not block: it shares the thread with every
/// socket of the process.
/// </remarks>
internal sealed partial class DeferredWake : IDisposable
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;

    private static readonly byte[] OneByte = [1];

    private readonly Socket _sender;
    private readonly Socket _receiver;
    private readonly Action _callback;
    private int _pending;
    private int _disposed;

    private DeferredWake(Socket sender, Socket receiver, Action callback)
    {
        _sender = sender;
        _receiver = receiver;
        _callback = callback;
    }

    /// <summary>A started waker, or null where a socket pair cannot be made (not Linux, out of descriptors).</summary>
    public static unsafe DeferredWake? TryStart(Action callback)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var fds = stackalloc int[2];
        if (SocketPair(AfUnix, SockStream | SockCloexec, 0, fds) != 0)
        {
            return null;
        }

        var wake = new DeferredWake(
            new Socket(new SafeSocketHandle(fds[0], ownsHandle: true)),
            new Socket(new SafeSocketHandle(fds[1], ownsHandle: true)),
            callback);
        _ = wake.RunAsync();
        return wake;
    }

    /// <summary>Schedules the callback; false when the waker is closed (the caller then wakes another way).</summary>
    public bool Wake()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 1)
        {
            return Volatile.Read(ref _disposed) == 0;
        }

        try
        {
            _sender.Send(OneByte, SocketFlags.None);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            Volatile.Write(ref _pending, 0);
            return false;
        }
    }

    /// <summary>True once the socket pair is closed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _sender.Dispose();
            _receiver.Dispose();
        }
    }

    private async Task RunAsync()
    {
        // At most one byte is in flight (_pending), so a small buffer always drains the pair.
        var buffer = new byte[16];
        try
        {
            while (await _receiver.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false) > 0)
            {
                // Cleared before the callback: a wake during it schedules another run.
                Volatile.Write(ref _pending, 0);
                _callback();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed with the session.
        }
    }

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static unsafe partial int SocketPair(int domain, int type, int protocol, int* fds);
}
