using System.Numerics;
using System.Security.Cryptography;

namespace Sluice.Protocols.Firehose;

/// <summary>
/// SEC1 point encoding for secp256k1. Voltlane sends 33-byte compressed keys (0x02/0x03 ‖ X);
/// .NET imports and exports only X and Y, so Y is recovered here: secp256k1 has p ≡ 3 (mod 4),
/// so y = (x³ + 7)^((p+1)/4) mod p, and the root whose parity matches the prefix is taken.
/// </summary>
public static class Secp256k1Point
{
    /// <summary>Bytes of a compressed key.</summary>
    public const int CompressedLength = 33;

    /// <summary>Bytes of an uncompressed key (0x04 ‖ X ‖ Y).</summary>
    public const int UncompressedLength = 65;

    private static readonly BigInteger P = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger SqrtExponent = (P + 1) / 4;

    /// <summary>The curve as .NET names it (OpenSSL provides it).</summary>
    public static ECCurve Curve { get; } = ECCurve.CreateFromFriendlyName("secP256k1");

    /// <summary>Encodes a point as 0x02/0x03 ‖ X.</summary>
    public static byte[] Compress(ECPoint point)
    {
        ArgumentNullException.ThrowIfNull(point.X);
        ArgumentNullException.ThrowIfNull(point.Y);
        var result = new byte[CompressedLength];
        result[0] = (byte)((point.Y[^1] & 1) == 0 ? 0x02 : 0x03);
        point.X.CopyTo(result, 1);
        return result;
    }

    /// <summary>
    /// Decodes a compressed (33-byte) or uncompressed (65-byte) key; false when the bytes are not
    /// a point on the curve.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, out ECPoint point)
    {
        point = default;
        if (encoded.Length == UncompressedLength && encoded[0] == 0x04)
        {
            var x = new BigInteger(encoded.Slice(1, 32), isUnsigned: true, isBigEndian: true);
            var y = new BigInteger(encoded.Slice(33, 32), isUnsigned: true, isBigEndian: true);
            if (x >= P || y >= P || BigInteger.ModPow(y, 2, P) != RightHandSide(x))
            {
                return false;
            }

            point = new ECPoint { X = encoded.Slice(1, 32).ToArray(), Y = encoded.Slice(33, 32).ToArray() };
            return true;
        }

        if (encoded.Length != CompressedLength || (encoded[0] != 0x02 && encoded[0] != 0x03))
        {
            return false;
        }

        var bx = new BigInteger(encoded[1..], isUnsigned: true, isBigEndian: true);
        if (bx >= P)
        {
            return false;
        }

        var rhs = RightHandSide(bx);
        var root = BigInteger.ModPow(rhs, SqrtExponent, P);
        if (BigInteger.ModPow(root, 2, P) != rhs)
        {
            return false;
        }

        var wantOdd = encoded[0] == 0x03;
        if (!root.IsEven != wantOdd)
        {
            root = P - root;
        }

        point = new ECPoint { X = encoded[1..].ToArray(), Y = ToFixed32(root) };
        return true;
    }

    private static BigInteger RightHandSide(BigInteger x) => (BigInteger.ModPow(x, 3, P) + 7) % P;

    private static byte[] ToFixed32(BigInteger value)
    {
        var result = new byte[32];
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        bytes.CopyTo(result, 32 - bytes.Length);
        return result;
    }
}
