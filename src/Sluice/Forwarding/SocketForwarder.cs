using System.Buffers;
using System.Net.Sockets;

namespace Sluice.Forwarding;

/// <summary>
/// The byte pump: moves bytes from one socket to another as they arrive, propagates half-close
/// (FIN one way leaves the other way flowing), counts bytes, and holds no buffer while idle.
/// </summary>
/// <remarks>
/// Idle costs nothing: each direction first waits with a zero-byte receive (Kestrel's trick) and
/// rents a buffer only once data is in hand, returning it as soon as a read comes back short.
/// A read that fills its buffer means bulk data, so the next reads use the larger size. Socket's
/// ValueTask operations reuse a cached awaitable per socket, so a forwarded chunk allocates
/// nothing; cancellation is by closing the sockets (no per-read token registrations).
/// </remarks>
public abstract class SocketForwarder : TrackedConnection
{
    internal const int SmallBuffer = 16 * 1024;
    internal const int LargeBuffer = 64 * 1024;

    /// <summary>
    /// Forwards <paramref name="from"/> to <paramref name="to"/> until EOF (then shuts down
    /// <paramref name="to"/>'s sending side) or an error (then aborts the whole connection).
    /// </summary>
    protected async ValueTask PumpAsync(Socket from, Socket to, bool fromClient, IByteCounter? counter)
    {
        byte[]? buffer = null;
        var size = SmallBuffer;
        var sending = false;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }

                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    OnEndOfStream(to);
                    return;
                }

                CountBytes(fromClient, read, counter);

                sending = true;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                sending = false;
                Touch();

                if (read < buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    size = SmallBuffer;
                }
                else if (size == SmallBuffer)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    size = LargeBuffer;
                    buffer = ArrayPool<byte>.Shared.Rent(size);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // A failed receive is `from`'s fault, a failed send `to`'s; the reset is passed on as
            // a reset so the other peer sees the same abrupt end. If the connection was already
            // aborted (idle, drain), that first reason stands.
            var clientFailed = sending ? !fromClient : fromClient;
            Abort(clientFailed ? CloseReason.ClientReset : CloseReason.UpstreamReset, resetPeers: true);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    public override void Abort(CloseReason reason) => Abort(reason, resetPeers: false);

    /// <summary>Closes both sockets; with <paramref name="resetPeers"/> they are closed with RST.</summary>
    protected abstract void Abort(CloseReason reason, bool resetPeers);

    internal static void OnEndOfStream(Socket to)
    {
        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The other side is already gone; the other direction's pump reports why.
        }
    }

    /// <summary>Closes a socket, with RST when <paramref name="reset"/> (SO_LINGER 0).</summary>
    /// <remarks>
    /// Without a reset, shut both directions down first: that sends FIN and ends the pending
    /// reads. Disposing a socket with a read still pending makes .NET close it abortively (RST),
    /// and an idle timeout or a drain should end connections politely.
    /// </remarks>
    internal static void Close(Socket socket, bool reset)
    {
        try
        {
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
