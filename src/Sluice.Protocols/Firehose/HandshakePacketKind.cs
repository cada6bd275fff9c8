namespace Sluice.Protocols.Firehose;

/// <summary>The variants of Voltlane's handshake enum, by bincode variant index.</summary>
public enum HandshakePacketKind : byte
{
    /// <summary>Both ways; closes a resume.</summary>
    Ping = 0,

    /// <summary>Client to gateway, first packet; must be <see cref="HandshakePacket.ProtocolVersion2"/>.</summary>
    ProtocolVersion = 1,

    /// <summary>Both ways: a 33-byte compressed SEC1 secp256k1 public key.</summary>
    PubKey = 2,

    /// <summary>Gateway to client (new session) or client to gateway (resume).</summary>
    ClientId = 3,

    /// <summary>Gateway to client on resume: a sealed box of 32 random bytes.</summary>
    Challenge = 4,

    /// <summary>Client to gateway on resume: the same 32 bytes, sealed with a fresh nonce.</summary>
    ChallengeResponse = 5,
}
