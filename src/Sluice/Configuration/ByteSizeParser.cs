using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// Byte sizes as written in sluice.toml: a number and a binary unit, e.g. "512B", "64KiB", "1MiB",
/// "1.5GiB". Decimal units (KB, MB) are refused rather than guessed, because half of users mean 1000
/// and half mean 1024.
/// </summary>
public static class ByteSizeParser
{
    private static readonly (string Unit, long Bytes)[] Units =
    [
        ("B", 1),
        ("KiB", 1L << 10),
        ("MiB", 1L << 20),
        ("GiB", 1L << 30),
        ("TiB", 1L << 40),
    ];

    public static bool TryParse(string? text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "size is empty; expected e.g. \"512B\", \"64KiB\", \"1MiB\"";
            return false;
        }

        var position = 0;
        if (!UnitQuantityReader.TryReadNumber(text, ref position, out var number))
        {
            error = $"\"{text}\" is not a size; expected e.g. \"512B\", \"64KiB\", \"1MiB\"";
            return false;
        }

        var unit = UnitQuantityReader.ReadUnit(text, ref position).ToString();
        if (position != text.Length)
        {
            error = $"\"{text}\" is not a size; expected one number and a unit, e.g. \"64KiB\"";
            return false;
        }

        if (unit.Length == 0)
        {
            error = $"\"{text}\" needs a unit (B, KiB, MiB, GiB, TiB), e.g. \"{text}B\"";
            return false;
        }

        var match = Array.Find(Units, u => u.Unit == unit);
        if (match.Unit is null)
        {
            error = Array.Find(Units, u => u.Unit.Length == 3 && string.Equals(u.Unit[0] + "B", unit, StringComparison.OrdinalIgnoreCase)).Unit is { } binary
                ? $"\"{text}\": \"{unit}\" is ambiguous; write \"{FormatNumber(number)}{binary}\" for 1024-based sizes"
                : $"\"{text}\" has unknown unit \"{unit}\"; use B, KiB, MiB, GiB or TiB";
            return false;
        }

        decimal total = number * match.Bytes;
        if (total > long.MaxValue)
        {
            error = $"\"{text}\" is too large";
            return false;
        }

        if (total != decimal.Truncate(total))
        {
            error = $"\"{text}\" is not a whole number of bytes";
            return false;
        }

        bytes = (long)total;
        return true;
    }

    /// <summary>The largest unit that represents the size exactly, e.g. 65536 → "64KiB".</summary>
    public static string Format(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        for (var i = Units.Length - 1; i > 0; i--)
        {
            if (bytes != 0 && bytes % Units[i].Bytes == 0)
            {
                return (bytes / Units[i].Bytes).ToString(CultureInfo.InvariantCulture) + Units[i].Unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture) + "B";
    }

    private static string FormatNumber(decimal number) => number.ToString(CultureInfo.InvariantCulture);
}
