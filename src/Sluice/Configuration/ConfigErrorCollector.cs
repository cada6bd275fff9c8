using Sluice.Configuration.Toml;

namespace Sluice.Configuration;

/// <summary>
/// Gathers every problem in one file so the user fixes them in one pass instead of one per restart.
/// </summary>
internal sealed class ConfigErrorCollector
{
    private readonly List<ConfigError> _errors = [];

    public ConfigErrorCollector(string file)
    {
        File = file;
    }

    public string File { get; }

    public bool HasErrors => _errors.Count > 0;

    public void Add(TextLocation location, string key, string message) =>
        _errors.Add(new ConfigError(File, location.Line, location.Column, key, message));

    /// <summary>File order, whatever order the checks ran in; the sort is stable for one position.</summary>
    public IReadOnlyList<ConfigError> ToSortedList() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
