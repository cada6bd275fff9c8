namespace Sluice.Configuration.Toml;

/// <summary>
/// A TOML value with where it was written. Tomlyn's model types drop positions and its syntax tree
/// keeps dotted keys and [table] headers unresolved, so the binder reads this small resolved tree.
/// </summary>
internal abstract class TomlNode
{
    protected TomlNode(TextLocation location)
    {
        Location = location;
    }

    public TextLocation Location { get; }

    /// <summary>How the value is named in an error, e.g. "an integer (5)".</summary>
    public abstract string Describe();
}
