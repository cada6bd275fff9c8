using Tomlyn.Syntax;

namespace Sluice.Configuration.Toml;

/// <summary>
/// Resolves a Tomlyn syntax tree (already free of syntax and redefinition errors) into nested
/// <see cref="TomlTableNode"/>s: dotted keys become tables, [a.b] headers land under the last
/// [[a]] entry, exactly as TOML 1.0 defines.
/// </summary>
internal static class TomlTreeBuilder
{
    public static TomlTableNode Build(DocumentSyntax document, ConfigErrorCollector errors)
    {
        var root = new TomlTableNode(new TextLocation(1, 1));
        AddKeyValues(root, document.KeyValues, errors);
        foreach (var table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }

            var location = TextLocation.From(table.Span);
            var path = KeyParts(table.Name);
            var parent = Descend(root, path.Take(path.Count - 1), errors);
            if (parent is null)
            {
                continue;
            }

            var (name, nameLocation) = path[^1];
            var existing = parent.Find(name);
            TomlTableNode? target;
            if (table is TableArraySyntax)
            {
                if (existing is null)
                {
                    existing = new TomlEntry(name, nameLocation, new TomlArrayNode(isTableArray: true, location));
                    parent.Add(existing);
                }

                target = new TomlTableNode(location);
                if (existing.Value is TomlArrayNode { IsTableArray: true } array)
                {
                    array.Items.Add(target);
                }
                else
                {
                    Conflict(errors, location, name);
                    continue;
                }
            }
            else
            {
                target = GetOrAddTable(parent, name, nameLocation, location, errors);
            }

            if (target is not null)
            {
                AddKeyValues(target, table.Items, errors);
            }
        }

        return root;
    }

    private static void AddKeyValues(TomlTableNode table, IEnumerable<KeyValueSyntax?> keyValues, ConfigErrorCollector errors)
    {
        foreach (var keyValue in keyValues)
        {
            if (keyValue?.Key is null || keyValue.Value is null)
            {
                continue;
            }

            var path = KeyParts(keyValue.Key);
            var parent = Descend(table, path.Take(path.Count - 1), errors);
            var (name, nameLocation) = path[^1];
            if (parent is null)
            {
                continue;
            }

            if (parent.Find(name) is not null)
            {
                Conflict(errors, nameLocation, name);
                continue;
            }

            parent.Add(new TomlEntry(name, nameLocation, Convert(keyValue.Value, errors)));
        }
    }

    private static TomlNode Convert(ValueSyntax value, ConfigErrorCollector errors)
    {
        var location = TextLocation.From(value.Span);
        switch (value)
        {
            case ArraySyntax array:
                var node = new TomlArrayNode(isTableArray: false, location);
                foreach (var item in array.Items)
                {
                    if (item.Value is not null)
                    {
                        node.Items.Add(Convert(item.Value, errors));
                    }
                }

                return node;
            case InlineTableSyntax inline:
                var table = new TomlTableNode(location);
                AddKeyValues(table, inline.Items.Select(item => item.KeyValue), errors);

                return table;
            case StringValueSyntax s:
                return new TomlScalarNode(s.Value ?? string.Empty, location);
            case IntegerValueSyntax i:
                return new TomlScalarNode(i.Value, location);
            case FloatValueSyntax f:
                return new TomlScalarNode(f.Value, location);
            case BooleanValueSyntax b:
                return new TomlScalarNode(b.Value, location);
            case DateTimeValueSyntax d:
                return new TomlScalarNode(d.Value, location);
            default:
                return new TomlScalarNode(value.ToString() ?? string.Empty, location);
        }
    }

    private static TomlTableNode? Descend(TomlTableNode start, IEnumerable<(string Name, TextLocation Location)> path, ConfigErrorCollector errors)
    {
        TomlTableNode? current = start;
        foreach (var (name, location) in path)
        {
            current = GetOrAddTable(current, name, location, location, errors);
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>A key naming an array of tables means its last table, as [a.b] after [[a]] does.</summary>
    private static TomlTableNode? GetOrAddTable(TomlTableNode parent, string name, TextLocation nameLocation, TextLocation tableLocation, ConfigErrorCollector errors)
    {
        var existing = parent.Find(name);
        switch (existing?.Value)
        {
            case null:
                var created = new TomlTableNode(tableLocation);
                parent.Add(new TomlEntry(name, nameLocation, created));
                return created;
            case TomlTableNode table:
                return table;
            case TomlArrayNode { IsTableArray: true, Items: [.., TomlTableNode last] }:
                return last;
            default:
                Conflict(errors, nameLocation, name);
                return null;
        }
    }

    // Tomlyn's validation rejects redefinitions before this runs; this keeps a missed case an error, not a crash.
    private static void Conflict(ConfigErrorCollector errors, TextLocation location, string name) =>
        errors.Add(location, name, $"\"{name}\" is already defined with a different type");

    private static List<(string Name, TextLocation Location)> KeyParts(KeySyntax key)
    {
        var parts = new List<(string, TextLocation)>();
        if (key.Key is { } first)
        {
            parts.Add((KeyText(first), TextLocation.From(first.Span)));
        }

        foreach (var dotted in key.DotKeys)
        {
            if (dotted.Key is { } part)
            {
                parts.Add((KeyText(part), TextLocation.From(part.Span)));
            }
        }

        return parts;
    }

    private static string KeyText(BareKeyOrStringValueSyntax key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? string.Empty,
        StringValueSyntax quoted => quoted.Value ?? string.Empty,
        _ => string.Empty,
    };
}
