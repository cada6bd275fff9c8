using Sluice.Configuration.Binding;
using Tomlyn.Parsing;

namespace Sluice.Configuration;

/// <summary>Reads an agent file into a validated <see cref="AgentConfig"/>, or every error in it with file:line.</summary>
public static class AgentConfigLoader
{
    public static (AgentConfig? Config, IReadOnlyList<ConfigError> Errors) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (TomlFile.ReadText(fullPath, "agent", out var readError) is not { } text)
        {
            return (null, [readError!]);
        }

        var (config, errors) = Parse(text, fullPath);
        return (config is null ? null : config with { SourcePath = fullPath }, errors);
    }

    public static (AgentConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string tomlText, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        var errors = new ConfigErrorCollector(sourceName);
        if (TomlFile.Parse(tomlText, sourceName, errors) is not { } root)
        {
            return (null, errors.ToSortedList());
        }

        var config = ConfigBinder.BindAgentFile(root, errors);
        return errors.HasErrors ? (null, errors.ToSortedList()) : (config, []);
    }

    /// <summary>True when the file looks like an agent file (has an [agent] table), so `sluice check` can pick the right loader.</summary>
    public static bool LooksLikeAgentFile(string tomlText)
    {
        var document = SyntaxParser.Parse(tomlText, "agent", validate: false);
        return document.Tables.Any(t => t.Name?.ToString().Trim() == "agent");
    }
}
