using System.Globalization;
using System.Text;

namespace Sluice.Configuration;

/// <summary>
/// Durations as written in sluice.toml: one or more "&lt;number&gt;&lt;unit&gt;" parts, largest unit first,
/// e.g. "500ms", "2s", "1h30m", "1.5s". Units: h, m, s, ms, us (or µs). "0" alone is zero.
/// </summary>
public static class DurationParser
{
    // Largest first: parts must follow this order, so "30m1h" and "1s1s" are rejected as typos.
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("us", TimeSpan.TicksPerMicrosecond),
        ("µs", TimeSpan.TicksPerMicrosecond),
    ];

    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "duration is empty; expected e.g. \"500ms\", \"2s\", \"1h30m\"";
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        if (text.StartsWith('-'))
        {
            error = $"\"{text}\" is negative; durations are zero or more";
            return false;
        }

        decimal ticks = 0;
        var position = 0;
        var previousUnit = -1;
        while (position < text.Length)
        {
            if (!UnitQuantityReader.TryReadNumber(text, ref position, out var number))
            {
                error = $"\"{text}\" is not a duration; expected e.g. \"500ms\", \"2s\", \"1h30m\"";
                return false;
            }

            var unit = UnitQuantityReader.ReadUnit(text, ref position).ToString();
            if (unit.Length == 0 && position < text.Length)
            {
                error = $"\"{text}\" is not a duration; expected e.g. \"500ms\", \"2s\", \"1h30m\"";
                return false;
            }

            if (unit.Length == 0)
            {
                error = $"\"{text}\" needs a unit after the number (h, m, s, ms, us), e.g. \"{text}s\"";
                return false;
            }

            var unitIndex = Array.FindIndex(Units, u => u.Unit == unit);
            if (unitIndex < 0)
            {
                error = $"\"{text}\" has unknown unit \"{unit}\"; use h, m, s, ms or us";
                return false;
            }

            // "us" and "µs" are the same unit: compare by size so "1us1µs" is rejected too.
            if (previousUnit >= 0 && Units[unitIndex].Ticks >= Units[previousUnit].Ticks)
            {
                error = $"\"{text}\": write units largest first, each once (e.g. \"1h30m\")";
                return false;
            }

            previousUnit = unitIndex;
            ticks += number * Units[unitIndex].Ticks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                error = $"\"{text}\" is too long";
                return false;
            }
        }

        if (ticks != decimal.Truncate(ticks))
        {
            error = $"\"{text}\" is finer than the 100ns resolution of durations";
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>The shortest form <see cref="TryParse"/> reads back, e.g. "1h30m", "250ms", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Durations are zero or more.");
        }

        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        var remaining = value.Ticks;
        // h, m, s, ms as whole counts; the rest as microseconds with a fraction for 100ns ticks.
        foreach (var (unit, unitTicks) in Units.AsSpan(0, 4))
        {
            var count = remaining / unitTicks;
            if (count > 0)
            {
                builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                remaining -= count * unitTicks;
            }
        }

        if (remaining > 0)
        {
            var micros = remaining / (decimal)TimeSpan.TicksPerMicrosecond;
            builder.Append(micros.ToString(CultureInfo.InvariantCulture)).Append("us");
        }

        return builder.ToString();
    }
}
