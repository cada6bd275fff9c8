using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

internal sealed partial class ConfigBinder
{
    private readonly Dictionary<string, TextLocation> _echoNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TextLocation> _proxyNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TextLocation> _clusterNames = new(StringComparer.Ordinal);
    private readonly List<(string Cluster, TomlNode Node, string Key)> _clusterReferences = [];

    /// <summary>
    /// Reads "name", checks it is well formed and unique among its kind, and renames the reader's
    /// path to <c>kind "name"</c> so later errors in this table say which one they mean.
    /// </summary>
    private string ReadName(TableReader reader, string kind, Dictionary<string, TextLocation> seen, string? fallback)
    {
        string? name = null;
        var written = false;
        var location = reader.Location;
        if (reader.Get("name") is { } entry)
        {
            location = entry.Value.Location;
            name = reader.ReadString(entry.Value, reader.KeyPath("name"));
            written = true;
            if (name is not null && !NamePattern().IsMatch(name))
            {
                reader.Error(entry.Value, reader.KeyPath("name"), $"\"{name}\" is not a valid name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
                name = null;
            }
        }
        else if (fallback is null)
        {
            reader.Missing("name", $"each [[{kind}]] is named so logs, metrics and references can say which");
        }
        else
        {
            name = fallback;
        }

        if (name is null)
        {
            return string.Empty;
        }

        // Reported as kind[index].name: with two of the same name, the index says which one is meant.
        if (seen.TryGetValue(name, out var first))
        {
            reader.Errors.Add(location, reader.KeyPath("name"), $"duplicate {kind} name \"{name}\" (first used on line {first.Line.ToString(CultureInfo.InvariantCulture)})");
            return name;
        }

        seen.Add(name, location);

        // A default name ("echo-0") is not something the user wrote, so keep calling it echo[0].
        if (written)
        {
            reader.Path = $"{kind} \"{name}\"";
        }

        return name;
    }

    private string ReadClusterReference(TableReader reader)
    {
        if (reader.Get("cluster") is not { } entry)
        {
            reader.Missing("cluster", "the name of the [[cluster]] to forward to");
            return string.Empty;
        }

        var name = reader.ReadString(entry.Value, reader.KeyPath("cluster"));
        if (name is not null)
        {
            _clusterReferences.Add((name, entry.Value, reader.KeyPath("cluster")));
        }

        return name ?? string.Empty;
    }

    private void CheckClusterReferences()
    {
        foreach (var (cluster, node, key) in _clusterReferences)
        {
            if (!_clusterNames.ContainsKey(cluster))
            {
                var hint = DidYouMean.Hint(cluster, _clusterNames.Keys);
                _errors.Add(node.Location, key, $"no [[cluster]] is named \"{cluster}\"{hint}");
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
