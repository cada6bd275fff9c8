using System.Security.Cryptography;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// A secp256k1 key pair for the handshake's ECDH (docs/protocols/firehose.md, "Crypto"). The
/// gateway has one (fresh or from key_file); a client makes one per session.
/// </summary>
public sealed class FirehoseKeyPair : IDisposable
{
    private readonly ECDiffieHellman _ecdh;

    private FirehoseKeyPair(ECDiffieHellman ecdh)
    {
        _ecdh = ecdh;
        PublicKey = Secp256k1Point.Compress(ecdh.ExportParameters(false).Q);
    }

    /// <summary>The 33-byte compressed SEC1 public key sent in PubKey.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A fresh random key pair.</summary>
    public static FirehoseKeyPair Create() => new(ECDiffieHellman.Create(Secp256k1Point.Curve));

    /// <summary>The key pair of a 32-byte big-endian private scalar (as kept in key_file).</summary>
    public static FirehoseKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new CryptographicException("a secp256k1 private key is 32 bytes");
        }

        var ecdh = ECDiffieHellman.Create(new ECParameters { Curve = Secp256k1Point.Curve, D = privateKey.ToArray() });
        return new FirehoseKeyPair(ecdh);
    }

    /// <summary>The 32-byte private scalar, for key_file.</summary>
    public byte[] ExportPrivateKey() => _ecdh.ExportParameters(true).D!;

    /// <summary>
    /// The raw ECDH shared secret with <paramref name="peerPublicKey"/> (the x coordinate, 32
    /// bytes, as Voltlane's k256 gives it); null when the peer key is not a curve point.
    /// </summary>
    public byte[]? DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        if (!Secp256k1Point.TryDecode(peerPublicKey, out var point))
        {
            return null;
        }

        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters { Curve = Secp256k1Point.Curve, Q = point });
            return _ecdh.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The session key with <paramref name="peerPublicKey"/>: HKDF over the ECDH secret; null for a bad peer key.</summary>
    public byte[]? DeriveSessionKey(ReadOnlySpan<byte> peerPublicKey) =>
        DeriveSharedSecret(peerPublicKey) is { } secret ? ChallengeCipher.DeriveKey(secret) : null;

    /// <inheritdoc />
    public void Dispose() => _ecdh.Dispose();
}
