using System.Globalization;
using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class TableReader
{
    /// <summary>The string at <paramref name="key"/>, or null when absent or not a string (reported).</summary>
    public string? String(string key, bool allowEmpty = false)
    {
        if (Get(key) is not { } entry)
        {
            return null;
        }

        return ReadString(entry.Value, KeyPath(key), allowEmpty);
    }

    public string? ReadString(TomlNode node, string keyPath, bool allowEmpty = false)
    {
        if (node is not TomlScalarNode { Value: string text })
        {
            Error(node, keyPath, $"expected a string, got {node.Describe()}");
            return null;
        }

        if (!allowEmpty && text.Length == 0)
        {
            Error(node, keyPath, "must not be empty");
            return null;
        }

        return text;
    }

    public bool Bool(string key, bool fallback)
    {
        if (Get(key) is not { } entry)
        {
            return fallback;
        }

        if (entry.Value is not TomlScalarNode { Value: bool value })
        {
            Error(entry.Value, KeyPath(key), $"expected true or false, got {entry.Value.Describe()}");
            return fallback;
        }

        return value;
    }

    public int Int(string key, int fallback, int min, int max = int.MaxValue)
    {
        if (Get(key) is not { } entry)
        {
            return fallback;
        }

        if (entry.Value is not TomlScalarNode { Value: long number })
        {
            Error(entry.Value, KeyPath(key), $"expected an integer, got {entry.Value.Describe()}");
            return fallback;
        }

        if (number < min || number > max)
        {
            var range = max == int.MaxValue
                ? $"at least {min.ToString(CultureInfo.InvariantCulture)}"
                : $"between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}";
            Error(entry.Value, KeyPath(key), $"must be {range}, got {number.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }

        return (int)number;
    }

    /// <summary>A duration string; zero only when <paramref name="allowZero"/> (where 0 means "off").</summary>
    public TimeSpan Duration(string key, TimeSpan fallback, bool allowZero = false)
    {
        if (Get(key) is not { } entry)
        {
            return fallback;
        }

        var keyPath = KeyPath(key);
        if (entry.Value is TomlScalarNode { Value: long or double } number)
        {
            // A bare number has no unit; guessing seconds would make "500" mean eight minutes.
            Error(number, keyPath, $"durations are strings with a unit, e.g. \"5s\" or \"500ms\"; got {number.Describe()}");
            return fallback;
        }

        if (ReadString(entry.Value, keyPath) is not { } text)
        {
            return fallback;
        }

        if (!DurationParser.TryParse(text, out var value, out var error))
        {
            Error(entry.Value, keyPath, error!);
            return fallback;
        }

        if (value == TimeSpan.Zero && !allowZero)
        {
            Error(entry.Value, keyPath, "must be greater than zero");
            return fallback;
        }

        return value;
    }

    public T Enum<T>(string key, T fallback, IReadOnlyList<(string Name, T Value)> names)
    {
        if (Get(key) is not { } entry || ReadString(entry.Value, KeyPath(key)) is not { } text)
        {
            return fallback;
        }

        foreach (var (name, value) in names)
        {
            if (name == text)
            {
                return value;
            }
        }

        var allowed = string.Join(" | ", names.Select(n => n.Name));
        var hint = DidYouMean.Hint(text, names.Select(n => n.Name));
        Error(entry.Value, KeyPath(key), $"\"{text}\" is not one of {allowed}{hint}");
        return fallback;
    }
}
