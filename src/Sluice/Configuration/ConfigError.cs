using System.Globalization;

namespace Sluice.Configuration;

/// <summary>
/// One problem in a config file. <see cref="Line"/> and <see cref="Column"/> are 1-based; both are 0
/// when the problem is the file itself (missing, unreadable). <see cref="Key"/> is the dotted path a
/// user recognizes, e.g. <c>proxy "redis".listen[1]</c>, or empty for TOML syntax errors.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Key, string Message)
{
    /// <summary><c>file:line:col: key: message</c>, the shape editors and CI logs turn into links.</summary>
    public override string ToString()
    {
        var position = Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}")
            : File;
        return Key.Length > 0 ? $"{position}: {Key}: {Message}" : $"{position}: {Message}";
    }
}
