using System.Globalization;
using System.Numerics;

namespace Sluice.Tests.Firehose;

/// <summary>
/// Textbook affine secp256k1 arithmetic on BigInteger, independent of OpenSSL and of the code
/// under test, to compute expected public keys and ECDH secrets. Slow and not constant-time:
/// for tests only.
/// </summary>
internal static class Secp256k1Reference
{
    public static readonly BigInteger P = Hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F");
    public static readonly (BigInteger X, BigInteger Y) G = (
        Hex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"),
        Hex("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"));

    public static BigInteger Hex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public static (BigInteger X, BigInteger Y)? Multiply(BigInteger k, (BigInteger X, BigInteger Y) point)
    {
        (BigInteger X, BigInteger Y)? result = null;
        (BigInteger X, BigInteger Y)? addend = point;
        while (k > 0)
        {
            if (!k.IsEven)
            {
                result = Add(result, addend);
            }

            addend = Add(addend, addend);
            k >>= 1;
        }

        return result;
    }

    public static byte[] Compressed((BigInteger X, BigInteger Y) point)
    {
        var result = new byte[33];
        result[0] = (byte)(point.Y.IsEven ? 2 : 3);
        Fixed32(point.X).CopyTo(result, 1);
        return result;
    }

    public static byte[] Fixed32(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var result = new byte[32];
        bytes.CopyTo(result, 32 - bytes.Length);
        return result;
    }

    private static (BigInteger X, BigInteger Y)? Add((BigInteger X, BigInteger Y)? a, (BigInteger X, BigInteger Y)? b)
    {
        if (a is not { } p)
        {
            return b;
        }

        if (b is not { } q)
        {
            return a;
        }

        BigInteger slope;
        if (p.X == q.X)
        {
            if ((p.Y + q.Y) % P == 0)
            {
                return null;
            }

            slope = Mod(3 * p.X * p.X * Inverse(2 * p.Y));
        }
        else
        {
            slope = Mod((q.Y - p.Y) * Inverse(q.X - p.X));
        }

        var x = Mod((slope * slope) - p.X - q.X);
        var y = Mod((slope * (p.X - x)) - p.Y);
        return (x, y);
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);

    private static BigInteger Mod(BigInteger value)
    {
        var r = value % P;
        return r < 0 ? r + P : r;
    }
}
