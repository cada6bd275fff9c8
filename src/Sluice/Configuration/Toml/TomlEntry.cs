namespace Sluice.Configuration.Toml;

/// <summary>One key of a table; the key's own position is where "unknown key" errors point.</summary>
internal sealed record TomlEntry(string Key, TextLocation KeyLocation, TomlNode Value);
