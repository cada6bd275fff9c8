using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// Reads the "&lt;number&gt;&lt;unit&gt;" pieces that durations ("1h30m") and sizes ("64KiB") are made of.
/// Numbers are unsigned decimals ("1", "1.5"); no exponent, sign or whitespace, to keep the format
/// strict enough that a typo is an error rather than a different value.
/// </summary>
internal static class UnitQuantityReader
{
    public static bool TryReadNumber(ReadOnlySpan<char> text, ref int position, out decimal number)
    {
        number = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            position++;
        }

        if (position == start)
        {
            return false;
        }

        if (position < text.Length && text[position] == '.')
        {
            var fractionStart = ++position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
            {
                position++;
            }

            if (position == fractionStart)
            {
                return false;
            }
        }

        return decimal.TryParse(text[start..position], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The run of letters after a number; "µ" counts as a letter so "µs" reads as one unit.</summary>
    public static ReadOnlySpan<char> ReadUnit(ReadOnlySpan<char> text, ref int position)
    {
        var start = position;
        while (position < text.Length && char.IsLetter(text[position]))
        {
            position++;
        }

        return text[start..position];
    }
}
