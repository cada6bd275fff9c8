using System.Globalization;

namespace Sluice.Configuration;

/// <summary>SHA-256 certificate fingerprints as users write them: "sha256:AB:CD:…", hex with or without colons.</summary>
public static class Fingerprint
{
    /// <summary>Upper-case hex without separators (64 characters), or false with a reason.</summary>
    public static bool TryNormalize(string text, out string normalized, out string? error)
    {
        normalized = string.Empty;
        error = null;
        var value = text.Trim();
        if (value.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["sha256:".Length..];
        }

        value = value.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (value.Length != 64 || !value.All(char.IsAsciiHexDigit))
        {
            error = $"\"{text}\" is not a SHA-256 fingerprint: expected 64 hex digits (colons and a \"sha256:\" prefix are optional)";
            return false;
        }

        normalized = value.ToUpperInvariant();
        return true;
    }

    /// <summary>"sha256:AB:CD:…", the form printed at startup and accepted by the agent.</summary>
    public static string Format(ReadOnlySpan<byte> hash) =>
        "sha256:" + string.Join(':', hash.ToArray().Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
}
