using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Protocols.Tunnels;

/// <summary>
/// The agent's proof of its token (docs/protocols/tunnel.md, "Authentication"):
/// <c>HMAC-SHA256(key = UTF-8 token, "sluice-tunnel-auth-v1" ‖ nonce ‖ u8 len ‖ agent name ‖ u16 version)</c>.
/// The server's fresh nonce makes a recorded proof useless later; binding the name and version
/// stops a proof for one agent or version being replayed as another. The token never crosses the wire.
/// </summary>
internal static class TunnelAuth
{
    private static readonly byte[] Label = "sluice-tunnel-auth-v1"u8.ToArray();

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(ControlCodec.NonceLength);

    public static byte[] ComputeProof(ReadOnlySpan<byte> tokenKey, ReadOnlySpan<byte> nonce, string agentName, ushort version)
    {
        if (nonce.Length != ControlCodec.NonceLength)
        {
            throw new ArgumentException($"nonce must be {ControlCodec.NonceLength} bytes", nameof(nonce));
        }

        var nameBytes = Encoding.UTF8.GetBytes(agentName);
        if (nameBytes.Length > WireStrings.MaxBytes)
        {
            throw new ArgumentException("agent name is too long", nameof(agentName));
        }

        var message = new byte[Label.Length + nonce.Length + 1 + nameBytes.Length + 2];
        var span = message.AsSpan();
        Label.CopyTo(span);
        span = span[Label.Length..];
        nonce.CopyTo(span);
        span = span[nonce.Length..];
        span[0] = (byte)nameBytes.Length;
        nameBytes.CopyTo(span[1..]);
        span = span[(1 + nameBytes.Length)..];
        BinaryPrimitives.WriteUInt16BigEndian(span, version);
        return HMACSHA256.HashData(tokenKey, message);
    }

    public static byte[] ComputeProof(string token, ReadOnlySpan<byte> nonce, string agentName, ushort version) =>
        ComputeProof(Encoding.UTF8.GetBytes(token), nonce, agentName, version);

    /// <summary>
    /// Checks a proof in constant time. <paramref name="tokenKey"/> is null for an unknown agent
    /// name: a random key is used instead, so that case costs the same and fails the same way as a
    /// wrong token.
    /// </summary>
    public static bool Verify(byte[]? tokenKey, ReadOnlySpan<byte> nonce, string agentName, ushort version, ReadOnlySpan<byte> proof)
    {
        var key = tokenKey ?? RandomNumberGenerator.GetBytes(32);
        var expected = ComputeProof(key, nonce, agentName, version);
        var match = CryptographicOperations.FixedTimeEquals(expected, proof);
        return match && tokenKey is not null;
    }
}
