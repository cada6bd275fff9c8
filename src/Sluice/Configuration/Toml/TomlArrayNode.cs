namespace Sluice.Configuration.Toml;

/// <summary>An inline array, or the tables of a [[name]] array of tables.</summary>
internal sealed class TomlArrayNode : TomlNode
{
    public TomlArrayNode(bool isTableArray, TextLocation location)
        : base(location)
    {
        IsTableArray = isTableArray;
    }

    /// <summary>True for [[name]] headers, which the user reads as "a list of sections".</summary>
    public bool IsTableArray { get; }

    public List<TomlNode> Items { get; } = [];

    public override string Describe() => IsTableArray ? "an array of tables" : "an array";
}
