using Sluice.Configuration.Binding;
using Sluice.Configuration.Toml;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

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
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            var reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "config file not found",
                UnauthorizedAccessException => "config file is not readable: permission denied",
                _ => $"config file could not be read: {ex.Message}",
            };
            return new ConfigLoadResult(null, [new ConfigError(fullPath, 0, 0, string.Empty, reason)]);
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
        var document = SyntaxParser.Parse(tomlText, sourceName, validate: true);
        if (document.HasErrors)
        {
            // Binding a broken tree would pile guesses on top of the real error; syntax first.
            foreach (var diagnostic in document.Diagnostics)
            {
                if (diagnostic.Kind == DiagnosticMessageKind.Error)
                {
                    errors.Add(TextLocation.From(diagnostic.Span), string.Empty, diagnostic.Message);
                }
            }

            return new ConfigLoadResult(null, errors.ToSortedList());
        }

        var root = TomlTreeBuilder.Build(document, errors);
        var config = ConfigBinder.Bind(root, errors);
        return errors.HasErrors
            ? new ConfigLoadResult(null, errors.ToSortedList())
            : new ConfigLoadResult(config, []);
    }
}
