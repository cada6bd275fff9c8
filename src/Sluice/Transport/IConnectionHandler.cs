using System.Net.Sockets;

namespace Sluice.Transport;

/// <summary>
/// Takes ownership of an accepted socket. Called on the accept loop, so it must only start the
/// connection's work and return: never block, never throw.
/// </summary>
public interface IConnectionHandler
{
    void OnAccepted(Socket socket);
}
