using System.Security.Cryptography;
using NSec.Cryptography;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// The resume challenge's crypto (docs/protocols/firehose.md, "Crypto"): key = HKDF-SHA256 over
/// the ECDH secret with salt = info = "VOLTLANE.NET", 32 bytes; box = XChaCha20-Poly1305 with a
/// random 24-byte nonce, laid out <c>ciphertext ‖ 16-byte tag ‖ 24-byte nonce</c>.
/// </summary>
public static class ChallengeCipher
{
    /// <summary>Bytes of the random challenge.</summary>
    public const int ChallengeLength = 32;

    /// <summary>Bytes of the XChaCha20 nonce.</summary>
    public const int NonceLength = 24;

    /// <summary>Bytes of the Poly1305 tag.</summary>
    public const int TagLength = 16;

    private static readonly byte[] Salt = "VOLTLANE.NET"u8.ToArray();
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>HKDF-SHA256(secret, salt = info = "VOLTLANE.NET") → 32 bytes.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> sharedSecret)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, key, Salt, Salt);
        return key;
    }

    /// <summary>A fresh random challenge.</summary>
    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(ChallengeLength);

    /// <summary>Seals <paramref name="plaintext"/> with a random nonce.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext) =>
        Seal(key, plaintext, RandomNumberGenerator.GetBytes(NonceLength));

    /// <summary>Seals with a given nonce (tests use a fixed one for a byte vector).</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce)
    {
        using var k = Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
        var result = new byte[plaintext.Length + TagLength + NonceLength];
        Aead.Encrypt(k, nonce, default, plaintext, result.AsSpan(0, plaintext.Length + TagLength));
        nonce.CopyTo(result.AsSpan(plaintext.Length + TagLength));
        return result;
    }

    /// <summary>Opens a sealed box; null when it is too short or does not authenticate.</summary>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedBox)
    {
        if (sealedBox.Length < TagLength + NonceLength)
        {
            return null;
        }

        using var k = Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
        var body = sealedBox[..^NonceLength];
        var plaintext = new byte[body.Length - TagLength];
        return Aead.Decrypt(k, sealedBox[^NonceLength..], default, body, plaintext) ? plaintext : null;
    }
}
