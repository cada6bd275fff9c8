namespace Sluice.Protocols.Tunnels;

/// <summary>Server → agent: one result per requested tunnel, in request order.</summary>
internal sealed record RegisterResultMessage(IReadOnlyList<TunnelResult> Tunnels) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.RegisterResult;
}
