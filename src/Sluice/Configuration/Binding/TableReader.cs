using Sluice.Configuration.Toml;

namespace Sluice.Configuration.Binding;

/// <summary>
/// Reads the keys of one table and remembers which it asked for; whatever the file has beyond those
/// is a typo or a key from another version, reported by <see cref="ReportUnknownKeys"/>.
/// </summary>
internal sealed partial class TableReader
{
    private readonly TomlTableNode _table;
    private readonly ConfigErrorCollector _errors;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public TableReader(TomlTableNode table, string path, ConfigErrorCollector errors)
    {
        _table = table;
        Path = path;
        _errors = errors;
    }

    /// <summary>How this table is named in errors; becomes <c>proxy "redis"</c> once the name is known.</summary>
    public string Path { get; set; }

    public TextLocation Location => _table.Location;

    public ConfigErrorCollector Errors => _errors;

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public TomlEntry? Get(string key)
    {
        _known.Add(key);
        return _table.Find(key);
    }

    public void Error(TomlNode node, string key, string message) => _errors.Add(node.Location, key, message);

    public void Missing(string key, string why) =>
        _errors.Add(_table.Location, KeyPath(key), $"missing required key \"{key}\" ({why})");

    /// <summary>A single [name] table, or an inline { } table, or null when absent.</summary>
    public TomlTableNode? Table(string key)
    {
        switch (Get(key)?.Value)
        {
            case null:
                return null;
            case TomlTableNode table:
                return table;
            case TomlArrayNode { IsTableArray: true } array:
                Error(array, KeyPath(key), $"write [{KeyPath(key)}], not [[{KeyPath(key)}]]: there is only one");
                return null;
            case var other:
                Error(other, KeyPath(key), $"expected a table, got {other.Describe()}");
                return null;
        }
    }

    /// <summary>The tables of [[name]] (or an inline array of { } tables); empty when absent.</summary>
    public IReadOnlyList<TomlTableNode> TableArray(string key)
    {
        switch (Get(key)?.Value)
        {
            case null:
                return [];
            case TomlTableNode table:
                Error(table, KeyPath(key), $"write [[{KeyPath(key)}]] (double brackets): there can be several");
                return [];
            case TomlArrayNode array:
                var tables = new List<TomlTableNode>();
                for (var i = 0; i < array.Items.Count; i++)
                {
                    if (array.Items[i] is TomlTableNode item)
                    {
                        tables.Add(item);
                    }
                    else
                    {
                        Error(array.Items[i], $"{KeyPath(key)}[{i}]", $"expected a table, got {array.Items[i].Describe()}");
                    }
                }

                return tables;
            case var other:
                Error(other, KeyPath(key), $"expected [[{KeyPath(key)}]] tables, got {other.Describe()}");
                return [];
        }
    }

    public void ReportUnknownKeys()
    {
        foreach (var entry in _table.Entries)
        {
            if (_known.Contains(entry.Key))
            {
                continue;
            }

            var hint = DidYouMean.Hint(entry.Key, _known);
            var what = entry.Value switch
            {
                TomlArrayNode { IsTableArray: true } => "unknown table array",
                TomlTableNode => "unknown table",
                _ => "unknown key",
            };
            var where = Path.Length == 0 ? string.Empty : $" in {Path}";
            _errors.Add(entry.KeyLocation, KeyPath(entry.Key), $"{what} \"{entry.Key}\"{where}{hint}");
        }
    }
}
