using System.Globalization;

namespace Sluice.Cli.Bench;

/// <summary>Parses the command line's sizes ("64", "16k", "1m": binary multiples) and durations ("10s", "500ms", "2m", "1.5").</summary>
internal static class BenchQuantity
{
    public static bool TryParseSize(string text, out int bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var t = text.Trim().ToLowerInvariant();
        long multiplier = 1;
        if (t.EndsWith("kib", StringComparison.Ordinal) || t.EndsWith("kb", StringComparison.Ordinal) || t.EndsWith('k'))
        {
            multiplier = 1024;
            t = t.TrimEnd('b', 'i', 'k');
        }
        else if (t.EndsWith("mib", StringComparison.Ordinal) || t.EndsWith("mb", StringComparison.Ordinal) || t.EndsWith('m'))
        {
            multiplier = 1024 * 1024;
            t = t.TrimEnd('b', 'i', 'm');
        }
        else if (t.EndsWith('b'))
        {
            t = t[..^1];
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value * multiplier is < 1 or > 64 * 1024 * 1024)
        {
            error = $"\"{text}\" is not a size between 1 byte and 64m (e.g. 64, 16k, 1m)";
            return false;
        }

        bytes = (int)(value * multiplier);
        return true;
    }

    /// <summary>A total byte count ("100m", "1g", "5000"): binary multiples up to 1 TiB.</summary>
    public static bool TryParseByteCount(string text, out long bytes, out string? error)
    {
        bytes = 0;
        error = null;
        var t = text.Trim().ToLowerInvariant().TrimEnd('b').TrimEnd('i');
        long multiplier = 1;
        if (t.Length > 0 && "kmgt".Contains(t[^1], StringComparison.Ordinal))
        {
            multiplier = t[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            t = t[..^1];
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > (1L << 40) / multiplier)
        {
            error = $"\"{text}\" is not a byte count between 1 and 1t (e.g. 5000, 100m, 2g)";
            return false;
        }

        bytes = value * multiplier;
        return true;
    }

    public static bool TryParseDuration(string text, out TimeSpan duration, out string? error)
    {
        duration = default;
        error = null;
        var t = text.Trim().ToLowerInvariant();
        double unit = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal))
        {
            unit = 0.001;
            t = t[..^2];
        }
        else if (t.EndsWith('s'))
        {
            t = t[..^1];
        }
        else if (t.EndsWith('m'))
        {
            unit = 60;
            t = t[..^1];
        }
        else if (t.EndsWith('h'))
        {
            unit = 3600;
            t = t[..^1];
        }

        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value * unit is < 0 or > 86_400)
        {
            error = $"\"{text}\" is not a duration (e.g. 10s, 500ms, 2m)";
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unit);
        return true;
    }
}
