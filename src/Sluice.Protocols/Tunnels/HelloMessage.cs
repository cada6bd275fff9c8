namespace Sluice.Protocols.Tunnels;

/// <summary>Agent → server, first message: the protocol version the agent speaks and its name.</summary>
internal sealed record HelloMessage(ushort Version, string AgentName) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Hello;
}
