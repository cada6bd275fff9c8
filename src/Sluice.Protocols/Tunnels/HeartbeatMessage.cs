namespace Sluice.Protocols.Tunnels;

/// <summary>Either way: proves the other side's control loop is alive (the multiplexer's ping only proves the connection is).</summary>
internal sealed record HeartbeatMessage(ulong Sequence) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Heartbeat;
}
