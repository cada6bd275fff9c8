namespace Sluice.Protocols.Tunnels;

/// <summary>The server's verdict on one requested tunnel.</summary>
internal enum RegisterStatus : byte
{
    Ok = 0,

    /// <summary>The port is not in the agent's allow_ports.</summary>
    NotAllowed = 1,

    /// <summary>Another agent holds the port, or the port could not be bound.</summary>
    Unavailable = 2,

    /// <summary>The request itself is malformed (duplicate name or port, bad name).</summary>
    Invalid = 3,
}
