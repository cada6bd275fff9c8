namespace Sluice.Protocols.Tunnels;

/// <summary>Agent → server: the reverse tunnels to publish. Sent again in full after each reconnect.</summary>
internal sealed record RegisterMessage(IReadOnlyList<TunnelRequest> Tunnels) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Register;
}
