namespace Sluice.Protocols.Tunnels;

/// <summary>Agent → server (version 2): the HTTP tunnels to route to this agent. Sent again in full after each reconnect.</summary>
internal sealed record RegisterHttpMessage(IReadOnlyList<HttpTunnelRequest> Tunnels) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.RegisterHttp;
}

/// <summary>Server → agent (version 2): one result per requested HTTP tunnel, in request order.</summary>
internal sealed record RegisterHttpResultMessage(IReadOnlyList<HttpTunnelResult> Tunnels) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.RegisterHttpResult;
}

/// <summary>What the edge asks of a user before forwarding to an HTTP tunnel.</summary>
internal enum HttpAuthKind : byte
{
    None = 0,

    /// <summary>HTTP basic auth: the Authorization header; a miss gets 401 with a Basic challenge.</summary>
    Basic = 1,

    /// <summary>A named header carrying a token; a miss gets 401.</summary>
    Header = 2,
}

/// <summary>
/// One HTTP tunnel: requests for <see cref="Host"/> (a bare label = a subdomain of the server's
/// domain, with a dot = a full host) go to the agent's [[expose]] <see cref="Name"/>.
/// The edge's credential travels as the SHA-256 of the header value it must equal, never in clear.
/// With <see cref="Inspect"/>, the edge sends each exchange to the agent's inspector, bodies cut at <see cref="CaptureBytes"/>.
/// </summary>
internal sealed record HttpTunnelRequest(string Name, string Host, HttpAuthKind AuthKind, string AuthHeader, byte[] AuthHash, string HostHeader, bool Inspect, uint CaptureBytes)
{
    public const int AuthHashLength = 32;
}

/// <summary>On <see cref="RegisterStatus.Ok"/>, <see cref="Detail"/> is the public URL; otherwise why not.</summary>
internal sealed record HttpTunnelResult(string Name, RegisterStatus Status, string Detail);
