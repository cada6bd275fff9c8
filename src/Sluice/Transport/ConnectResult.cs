using System.Net;
using System.Net.Sockets;

namespace Sluice.Transport;

public enum ConnectError
{
    None,
    Timeout,
    Refused,
    Unreachable,
    DnsFailure,

    /// <summary>This process is out of file descriptors (EMFILE): not the upstream's fault.</summary>
    NoDescriptors,
    Other,
}

/// <summary>The outcome of one connect attempt: a connected socket or the reason there is none.</summary>
public readonly record struct ConnectResult(Socket? Socket, ConnectError Error, IPEndPoint? RemoteEndPoint, TimeSpan Elapsed)
{
    public bool Succeeded => Socket is not null;

    /// <summary>A short snake_case reason for metrics labels and logs.</summary>
    public string Reason => Error.ToName();
}
