using System.Net;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>The outcome of one connect attempt on the epoll engine: a connected descriptor or the reason there is none.</summary>
/// <param name="Watch">The descriptor's epoll registration on the loop that connected it (a spent
/// one-shot EPOLLOUT), or 0 when it never was registered; the pair modifies it instead of adding.</param>
internal readonly record struct DescriptorConnectResult(int Fd, ConnectError Error, IPEndPoint? RemoteEndPoint, TimeSpan Elapsed, uint Watch = 0)
{
    public bool Succeeded => Fd >= 0;

    public string Reason => Error.ToName();
}
