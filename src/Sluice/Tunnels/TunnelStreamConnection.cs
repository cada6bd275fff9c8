using System.Net.Sockets;
using Sluice.Forwarding;
using Sluice.Multiplexing;

namespace Sluice.Tunnels;

/// <summary>A user's socket joined to its tunnel stream: the mux stream's FIN and RST carry the socket's.</summary>
internal sealed class TunnelStreamConnection : SocketStreamForwarder
{
    private readonly MuxStream _stream;

    public TunnelStreamConnection(Socket socket, MuxStream stream, bool socketIsClient, IByteCounter? counter, TimeSpan idleTimeout = default)
        : base(socket, stream, socketIsClient, idleTimeout, counter)
    {
        _stream = stream;

        // The stream-to-socket pump only awaits the socket's non-blocking send between reads, so
        // the session's read loop may run it on its own thread (no thread-pool hop per message).
        stream.InlineWakeups = true;
    }

    protected override bool StreamSupportsZeroByteReads => true;

    protected override ValueTask CompleteStreamWritesAsync() => _stream.CompleteWritesAsync();

    protected override void ResetStream() => _stream.Reset();
}
