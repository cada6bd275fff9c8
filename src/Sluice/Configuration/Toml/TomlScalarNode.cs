using System.Globalization;

namespace Sluice.Configuration.Toml;

/// <summary>A string, integer (long), float (double), boolean or date-time value.</summary>
internal sealed class TomlScalarNode : TomlNode
{
    public TomlScalarNode(object value, TextLocation location)
        : base(location)
    {
        Value = value;
    }

    public object Value { get; }

    public override string Describe() => Value switch
    {
        string s => $"a string (\"{s}\")",
        long l => $"an integer ({l.ToString(CultureInfo.InvariantCulture)})",
        double d => $"a float ({d.ToString(CultureInfo.InvariantCulture)})",
        bool b => b ? "a boolean (true)" : "a boolean (false)",
        _ => "a date-time",
    };
}
