namespace Sluice.Protocols.Tunnels;

/// <summary>The type byte of a control message (docs/protocols/tunnel.md, "Messages").</summary>
internal enum ControlMessageType : byte
{
    Hello = 0x01,
    Challenge = 0x02,
    AuthProof = 0x03,
    Welcome = 0x04,
    Register = 0x05,
    RegisterResult = 0x06,
    Heartbeat = 0x07,
    Error = 0x08,

    /// <summary>Version 2: the agent's HTTP tunnels (hosts on the server's HTTP edge).</summary>
    RegisterHttp = 0x09,

    RegisterHttpResult = 0x0A,
}
