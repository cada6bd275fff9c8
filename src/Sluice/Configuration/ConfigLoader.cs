using Sluice.Configuration.Binding;

namespace Sluice.Configuration;

/// <summary>
/// Reads sluice.toml into a validated <see cref="SluiceConfig"/>, or into the full list of what is
/// wrong with it. Never throws for a bad file: startup prints the errors, a reload keeps the old config.
/// </summary>
public static class ConfigLoader
{
    public static ConfigLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (TomlFile.ReadText(fullPath, "config", out var readError) is not { } text)
        {
            return new ConfigLoadResult(null, [readError!]);
        }

        var result = Parse(text, fullPath);
        return result.Succeeded
            ? new ConfigLoadResult(result.Config with { SourcePath = fullPath }, [])
            : result;
    }

    /// <summary>
    /// Validates TOML text; <paramref name="sourceName"/> is what errors name as the file.
    /// The returned config's <see cref="SluiceConfig.SourcePath"/> is null: only <see cref="Load"/> knows a path.
    /// </summary>
    public static ConfigLoadResult Parse(string tomlText, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        ArgumentNullException.ThrowIfNull(sourceName);
        var errors = new ConfigErrorCollector(sourceName);
        if (TomlFile.Parse(tomlText, sourceName, errors) is not { } root)
        {
            return new ConfigLoadResult(null, errors.ToSortedList());
        }

        var config = ConfigBinder.Bind(root, errors);
        return errors.HasErrors
            ? new ConfigLoadResult(null, errors.ToSortedList())
            : new ConfigLoadResult(config, []);
    }
}
