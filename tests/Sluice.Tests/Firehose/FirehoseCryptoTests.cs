using System.Security.Cryptography;
using System.Text;
using Sluice.Protocols.Firehose;

namespace Sluice.Tests.Firehose;

/// <summary>
/// The handshake crypto (docs/protocols/firehose.md, "Crypto"), checked against values computed
/// independently: public keys and ECDH secrets by plain BigInteger curve arithmetic, HKDF by
/// HMAC-SHA256 written out per RFC 5869.
/// </summary>
public sealed class FirehoseCryptoTests
{
    [Theory]
    [InlineData("01", "0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")]
    [InlineData("02", "02C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5")]
    [InlineData("03", "02F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9")]
    public void PublicKey_OfSmallScalars_IsTheKnownCompressedPoint(string scalar, string compressed)
    {
        using var key = FirehoseKeyPair.FromPrivateKey(Secp256k1Reference.Fixed32(Secp256k1Reference.Hex(scalar)));
        Assert.Equal(compressed, Convert.ToHexString(key.PublicKey));
    }

    [Fact]
    public void CompressedPoint_RoundTrips_ForBothParities()
    {
        var parities = new HashSet<byte>();
        for (var i = 0; i < 40 || parities.Count < 2; i++)
        {
            using var ecdh = ECDiffieHellman.Create(Secp256k1Point.Curve);
            var q = ecdh.ExportParameters(false).Q;
            var compressed = Secp256k1Point.Compress(q);
            parities.Add(compressed[0]);
            Assert.True(Secp256k1Point.TryDecode(compressed, out var back));
            Assert.Equal(q.X, back.X);
            Assert.Equal(q.Y, back.Y);
        }
    }

    [Theory]
    [InlineData("0479BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")]
    [InlineData("0579BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798")]
    [InlineData("020000000000000000000000000000000000000000000000000000000000000005")]
    [InlineData("02FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F")]
    [InlineData("0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F817")]
    public void TryDecode_NotAPointOrBadPrefixOrLength_Fails(string hex)
    {
        // x = 5: 5³ + 7 = 132 is not a square mod p; x = p is out of range.
        Assert.False(Secp256k1Point.TryDecode(Convert.FromHexString(hex), out _));
    }

    [Fact]
    public void Ecdh_Hkdf_AndSealedChallenge_MatchAnIndependentComputation()
    {
        var a = Secp256k1Reference.Hex("1E99423A4ED27608A15A2616A2B0E9E52CED330AC530EDCC32C8FFC6A526AEDD");
        var b = Secp256k1Reference.Hex("0C28FCA386C7A227600B2FE50B7CAE11EC86D3BF1FBE471BE89827E19D72AA1D");
        using var gateway = FirehoseKeyPair.FromPrivateKey(Secp256k1Reference.Fixed32(a));
        using var client = FirehoseKeyPair.FromPrivateKey(Secp256k1Reference.Fixed32(b));

        var publicA = Secp256k1Reference.Multiply(a, Secp256k1Reference.G)!.Value;
        var publicB = Secp256k1Reference.Multiply(b, Secp256k1Reference.G)!.Value;
        Assert.Equal(Secp256k1Reference.Compressed(publicA), gateway.PublicKey);
        Assert.Equal(Secp256k1Reference.Compressed(publicB), client.PublicKey);

        // The raw secret is x(a·b·G), as k256's SharedSecret holds it.
        var expectedSecret = Secp256k1Reference.Fixed32(Secp256k1Reference.Multiply(a, publicB)!.Value.X);
        Assert.Equal(expectedSecret, gateway.DeriveSharedSecret(client.PublicKey));
        Assert.Equal(expectedSecret, client.DeriveSharedSecret(gateway.PublicKey));

        // RFC 5869 with salt = info = "VOLTLANE.NET", one block of output.
        var salt = Encoding.ASCII.GetBytes("VOLTLANE.NET");
        var prk = HMACSHA256.HashData(salt, expectedSecret);
        var okm = HMACSHA256.HashData(prk, salt.Append((byte)0x01).ToArray());
        Assert.Equal(okm, gateway.DeriveSessionKey(client.PublicKey));
        Assert.Equal(okm, client.DeriveSessionKey(gateway.PublicKey));

        var challenge = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var nonce = Enumerable.Range(100, 24).Select(i => (byte)i).ToArray();
        var sealedBox = ChallengeCipher.Seal(okm, challenge, nonce);
        Assert.Equal(32 + 16 + 24, sealedBox.Length);
        Assert.Equal(nonce, sealedBox[^24..]);
        Assert.NotEqual(challenge, sealedBox[..32]);
        Assert.Equal(challenge, ChallengeCipher.Open(client.DeriveSessionKey(gateway.PublicKey)!, sealedBox));
    }

    [Fact]
    public void Open_TamperedOrWrongKey_Fails()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var sealedBox = ChallengeCipher.Seal(key, ChallengeCipher.NewChallenge());
        Assert.NotNull(ChallengeCipher.Open(key, sealedBox));

        var tampered = (byte[])sealedBox.Clone();
        tampered[5] ^= 1;
        Assert.Null(ChallengeCipher.Open(key, tampered));
        var wrongNonce = (byte[])sealedBox.Clone();
        wrongNonce[^1] ^= 1;
        Assert.Null(ChallengeCipher.Open(key, wrongNonce));
        Assert.Null(ChallengeCipher.Open(RandomNumberGenerator.GetBytes(32), sealedBox));
        Assert.Null(ChallengeCipher.Open(key, sealedBox[..39]));
    }

    [Fact]
    public void Seal_TwiceWithTheSameKey_UsesFreshNonces()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var challenge = ChallengeCipher.NewChallenge();
        Assert.NotEqual(ChallengeCipher.Seal(key, challenge)[^24..], ChallengeCipher.Seal(key, challenge)[^24..]);
    }
}
