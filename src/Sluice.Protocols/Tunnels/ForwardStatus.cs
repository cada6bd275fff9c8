namespace Sluice.Protocols.Tunnels;

/// <summary>The server's answer to a forward stream, mapped by the agent to a SOCKS5 reply code.</summary>
internal enum ForwardStatus : byte
{
    Ok = 0,

    /// <summary>Not in the agent's allow_forward list.</summary>
    NotAllowed = 1,
    Refused = 2,
    Unreachable = 3,
    DnsFailure = 4,
    Timeout = 5,
    Failed = 6,
}
