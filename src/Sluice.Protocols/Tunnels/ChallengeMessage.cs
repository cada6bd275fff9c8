namespace Sluice.Protocols.Tunnels;

/// <summary>Server → agent: the version both will speak and a fresh 32-byte nonce to prove the token against.</summary>
internal sealed record ChallengeMessage(ushort Version, byte[] Nonce) : ControlMessage
{
    public override ControlMessageType Type => ControlMessageType.Challenge;
}
