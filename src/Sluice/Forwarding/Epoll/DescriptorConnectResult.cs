using System.Net;
using Sluice.Transport;

namespace Sluice.Forwarding.Epoll;

/// <summary>The outcome of one connect attempt on the epoll engine: a connected descriptor or the reason there is none.</summary>
internal readonly record struct DescriptorConnectResult(int Fd, ConnectError Error, IPEndPoint? RemoteEndPoint, TimeSpan Elapsed)
{
    public bool Succeeded => Fd >= 0;

    public string Reason => Error.ToName();
}
