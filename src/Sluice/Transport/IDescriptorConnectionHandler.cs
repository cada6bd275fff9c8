using System.Net;
using Sluice.Forwarding.Epoll;

namespace Sluice.Transport;

/// <summary>
/// A handler that takes accepted connections as raw descriptors on an epoll loop (the proxy on
/// the epoll engine): the listener then accepts on the loops itself, with no .NET Socket per
/// connection. Called on <paramref name="loop"/>'s thread: start the work and return, never block.
/// </summary>
internal interface IDescriptorConnectionHandler : IConnectionHandler
{
    void OnAccepted(int fd, IPEndPoint? remote, EpollLoop loop);
}
