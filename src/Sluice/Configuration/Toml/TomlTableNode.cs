namespace Sluice.Configuration.Toml;

/// <summary>A [table], an inline { table }, or a table implied by a dotted key.</summary>
internal sealed class TomlTableNode : TomlNode
{
    private readonly List<TomlEntry> _entries = [];

    public TomlTableNode(TextLocation location)
        : base(location)
    {
    }

    /// <summary>Entries in the order they were written, so errors come out in file order.</summary>
    public IReadOnlyList<TomlEntry> Entries => _entries;

    public TomlEntry? Find(string key) => _entries.Find(e => e.Key == key);

    public void Add(TomlEntry entry) => _entries.Add(entry);

    public override string Describe() => "a table";
}
