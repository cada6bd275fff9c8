using System.Net.Sockets;

namespace Sluice.Forwarding;

/// <summary>The built-in echo backend: the pump with one socket as both source and destination.</summary>
public sealed class EchoConnection : SocketForwarder
{
    private readonly Socket _socket;

    public EchoConnection(Socket socket)
    {
        _socket = socket;
    }

    public async Task RunAsync(ConnectionRegistry registry)
    {
        registry.Add(this);
        try
        {
            await PumpAsync(_socket, _socket, fromClient: true, counter: null);
        }
        finally
        {
            registry.Remove(this);
            _socket.Dispose();
        }
    }

    protected override void Abort(CloseReason reason, bool resetPeers)
    {
        if (TrySetCloseReason(reason))
        {
            Close(_socket, resetPeers);
        }
    }
}
