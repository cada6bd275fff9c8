namespace Sluice.Protocols.Tunnels;

/// <summary>Agent → server: HMAC-SHA256 over the challenge (see <see cref="TunnelAuth"/>); the token itself never crosses the wire.</summary>
internal sealed record AuthProofMessage(byte[] Proof) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.AuthProof;
}
