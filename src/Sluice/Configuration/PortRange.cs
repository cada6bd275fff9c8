using System.Globalization;

namespace Sluice.Configuration;

/// <summary>An inclusive range of TCP ports, written "20000-20100" or "20001".</summary>
public readonly record struct PortRange(int First, int Last)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public static bool TryParse(string text, out PortRange range, out string? error)
    {
        range = default;
        error = null;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var firstText = dash < 0 ? text : text[..dash];
        var lastText = dash < 0 ? text : text[(dash + 1)..];
        if (!TryParsePort(firstText, out var first) || !TryParsePort(lastText, out var last))
        {
            error = $"\"{text}\" is not a port or a range of ports (1-65535), e.g. \"20000-20100\"";
            return false;
        }

        if (first > last)
        {
            error = $"\"{text}\": the range starts after it ends";
            return false;
        }

        range = new PortRange(first, last);
        return true;
    }

    public override string ToString() => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
