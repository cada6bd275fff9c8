using System.Net.Sockets;
using Sluice.Forwarding;

namespace Sluice.Hosting;

/// <summary>Accepted sockets of an [[echo]] listener: each echoes what it receives until EOF.</summary>
internal sealed class EchoHandler(ConnectionRegistry registry) : Transport.IConnectionHandler
{
    public void OnAccepted(Socket socket) => _ = new EchoConnection(socket).RunAsync(registry);
}
