using Sluice.Configuration.Binding;
using Sluice.Configuration.Toml;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Sluice.Configuration;

/// <summary>Reads an agent file into a validated <see cref="AgentConfig"/>, or every error in it with file:line.</summary>
public static class AgentConfigLoader
{
    public static (AgentConfig? Config, IReadOnlyList<ConfigError> Errors) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "agent file not found" : $"agent file could not be read: {ex.Message}";
            return (null, [new ConfigError(fullPath, 0, 0, string.Empty, reason)]);
        }

        var (config, errors) = Parse(text, fullPath);
        return (config is null ? null : config with { SourcePath = fullPath }, errors);
    }

    public static (AgentConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string tomlText, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        var errors = new ConfigErrorCollector(sourceName);
        var document = SyntaxParser.Parse(tomlText, sourceName, validate: true);
        if (document.HasErrors)
        {
            foreach (var diagnostic in document.Diagnostics)
            {
                if (diagnostic.Kind == DiagnosticMessageKind.Error)
                {
                    errors.Add(TextLocation.From(diagnostic.Span), string.Empty, diagnostic.Message);
                }
            }

            return (null, errors.ToSortedList());
        }

        var root = TomlTreeBuilder.Build(document, errors);
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
